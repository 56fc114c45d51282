/* test-unix-listen.c: how vdsm_rpc_server_listen_unix() makes its socket.
 * A path too long for a socket address is refused before anything is
 * made, and the socket is never reachable at a moment when its mode is
 * not 0660, whatever the umask: bind() is interposed to look at every
 * socket as it is bound.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "vdsm-rpc-server.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#define SUN_PATH_SIZE 108

/* ---- bind(), watched ---- */

typedef struct {
  char *path;
  guint mode;                       /* of the socket, as bound */
  guint dir_mode;                   /* of the directory it was bound in */
} Bound;

static void
bound_free (gpointer data)
{
  Bound *b = data;

  g_free (b->path);
  g_free (b);
}

/* Bound*, while a test records. */
static GPtrArray *bound;

static guint
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

int
bind (int fd, const struct sockaddr *address, socklen_t length)
{
  static int (*real_bind) (int, const struct sockaddr *, socklen_t);
  int ret;

  if (real_bind == NULL)
    real_bind = (int (*) (int, const struct sockaddr *, socklen_t)) dlsym (RTLD_NEXT, "bind");
  ret = real_bind (fd, address, length);
  if (ret == 0 && bound != NULL && address->sa_family == AF_UNIX)
    {
      Bound *b = g_new0 (Bound, 1);
      g_autofree char *dir = NULL;

      b->path = g_strdup (((const struct sockaddr_un *) address)->sun_path);
      dir = g_path_get_dirname (b->path);
      b->mode = mode_of (b->path);
      b->dir_mode = mode_of (dir);
      g_ptr_array_add (bound, b);
    }
  return ret;
}

/* ---- Helpers ---- */

static VdsmSchema *schema;

/* A directory anyone may enter, as /run is. */
static char *
make_open_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-unix-listen-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  return dir;
}

/* The names in @dir, sorted, joined by spaces. */
static char *
dir_contents (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* @path of exactly @length bytes in @dir. */
static char *
path_of_length (const char *dir, gsize length)
{
  gsize name_length = length - strlen (dir) - 1;
  g_autofree char *name = g_strnfill (name_length, 'n');

  g_assert_cmpuint (strlen (dir) + 1, <, length);
  return g_build_filename (dir, name, NULL);
}

/* A socket of mode 0660, accepting. */
static void
assert_listening (const char *path)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpuint (st.st_mode & 07777, ==, 0660);
  client = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (client, address, NULL, &error));
  g_assert_no_error (error);
}

/* ---- Tests ---- */

/* With umask 0, bind() makes the socket 0777: it must happen where no
 * one else can reach it, and the socket shows at its path as 0660. */
static void
test_mode (void)
{
  g_autofree char *dir = make_open_dir ();
  g_autofree char *path = g_build_filename (dir, "vdsm.sock", NULL);
  g_autoptr(VdsmRpcServer) server = vdsm_rpc_server_new (schema, NULL, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  mode_t old_umask = umask (0);
  gboolean ok;

  bound = g_ptr_array_new_with_free_func (bound_free);
  ok = vdsm_rpc_server_listen_unix (server, path, &error);
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_true (ok);

  g_assert_cmpuint (bound->len, >=, 1);
  for (guint i = 0; i < bound->len; i++)
    {
      Bound *b = bound->pdata[i];

      g_test_message ("bound %s: mode %o in a directory of mode %o", b->path, b->mode,
                      b->dir_mode);
      g_assert_true ((b->mode & 0777) == 0660 || (b->dir_mode & 0077) == 0);
    }
  g_clear_pointer (&bound, g_ptr_array_unref);

  assert_listening (path);
  /* Nothing else is left beside it. */
  contents = dir_contents (dir);
  g_assert_cmpstr (contents, ==, "vdsm.sock");

  vdsm_rpc_server_stop (server);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* sun_path holds 108 bytes with the NUL: a path of 108 bytes is refused,
 * naming itself and the limit, and nothing is made; 107 bytes work. */
static void
test_too_long (void)
{
  g_autofree char *dir = make_open_dir ();
  g_autofree char *too_long = path_of_length (dir, SUN_PATH_SIZE);
  g_autofree char *longest = path_of_length (dir, SUN_PATH_SIZE - 1);
  g_autoptr(VdsmRpcServer) server = vdsm_rpc_server_new (schema, NULL, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_false (vdsm_rpc_server_check_unix_path (too_long, NULL));
  g_assert_false (vdsm_rpc_server_listen_unix (server, too_long, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, too_long));
  g_assert_nonnull (strstr (error->message, "108 bytes with the terminating NUL"));
  g_clear_error (&error);
  contents = dir_contents (dir);
  g_assert_cmpstr (contents, ==, "");

  g_assert_true (vdsm_rpc_server_check_unix_path (longest, NULL));
  g_assert_true (vdsm_rpc_server_listen_unix (server, longest, &error));
  g_assert_no_error (error);
  assert_listening (longest);
  vdsm_rpc_server_stop (server);
  g_assert_false (g_file_test (longest, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A short name in a deep directory: the socket's own path fits, the one
 * it is first made at does not. Refused, with nothing left behind. */
static void
test_private_path_too_long (void)
{
  g_autofree char *top = make_open_dir ();
  g_autofree char *deep = path_of_length (top, SUN_PATH_SIZE - 8);
  g_autofree char *path = g_build_filename (deep, "v.sk", NULL);
  g_autoptr(VdsmRpcServer) server = vdsm_rpc_server_new (schema, NULL, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir (deep, 0755), ==, 0);
  g_assert_true (vdsm_rpc_server_check_unix_path (path, NULL));
  g_assert_false (vdsm_rpc_server_listen_unix (server, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  contents = dir_contents (deep);
  g_assert_cmpstr (contents, ==, "");
  g_assert_cmpint (g_rmdir (deep), ==, 0);
  g_assert_cmpint (g_rmdir (top), ==, 0);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  schema = vdsm_schema_new ();
  g_test_add_func ("/unix-listen/mode", test_mode);
  g_test_add_func ("/unix-listen/too-long", test_too_long);
  g_test_add_func ("/unix-listen/private-path-too-long", test_private_path_too_long);
  ret = g_test_run ();
  vdsm_schema_free (schema);
  return ret;
}
