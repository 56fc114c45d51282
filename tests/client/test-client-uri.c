/* test-client-uri.c: the address forms VdsmClient accepts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-uri.h"

#include <gio/gunixsocketaddress.h>

static void
assert_inet (const char *uri, gboolean tls, const char *host, guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClientAddress) address = vdsm_client_uri_parse (uri, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_NETWORK_ADDRESS (address->connectable));
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (address->connectable)), ==,
                   host);
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (address->connectable)), ==,
                    port);
  g_assert_cmpstr (address->host, ==, host);
  g_assert_cmpuint (address->port, ==, port);
  g_assert_cmpint (address->tls, ==, tls);
}

static void
assert_tcp (const char *uri, const char *host, guint16 port)
{
  assert_inet (uri, FALSE, host, port);
}

static void
test_tcp (void)
{
  assert_tcp ("tcp://localhost:54321", "localhost", 54321);
  assert_tcp ("tcp://127.0.0.1:1", "127.0.0.1", 1);
  assert_tcp ("TCP://example.org:65535/", "example.org", 65535);
  assert_tcp ("tcp://[::1]:4044", "::1", 4044);
  assert_tcp ("tcp://host.example", "host.example", 54321);
}

/* tls:// is tcp:// with TLS on top, on VDSM's port by default. */
static void
test_tls (void)
{
  assert_inet ("tls://localhost:54321", TRUE, "localhost", 54321);
  assert_inet ("TLS://vdsm.example", TRUE, "vdsm.example", 54321);
  assert_inet ("tls://[::1]:4044/", TRUE, "::1", 4044);
  assert_inet ("tls://192.0.2.7", TRUE, "192.0.2.7", 54321);
}

static void
test_unix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClientAddress) address = vdsm_client_uri_parse ("unix:///run/vdsm/my%20sock", &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (address->connectable));
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address->connectable)), ==,
                   "/run/vdsm/my sock");
  g_assert_false (address->tls);
}

static void
test_invalid (void)
{
  const char *invalid[] = {
    "",
    "localhost:54321",
    "localhost",
    "http://localhost:54321",
    "ssl://localhost:54321",
    "tcp://",
    "tcp://:54321",
    "tcp://host:0",
    "tcp://host:99999",
    "tcp://host:12/path",
    "tcp://user@host:12",
    "tcp://host:12?x=1",
    "tcp://host:12#frag",
    "unix://host/run/sock",
    "unix:relative/sock",
    "unix://",
    "unix:///run/sock?x",
    "tcp://[::1:54321",
    "tls://",
    "tls://host:0",
    "tls://host:12/path",
    "tls://user@host",
  };
  g_autofree char *long_name = g_strnfill (200, 'x');
  g_autofree char *long_path = g_strconcat ("unix:///", long_name, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VdsmClientAddress) address = vdsm_client_uri_parse (invalid[i], &error);

      g_test_message ("%s: %s", invalid[i], error != NULL ? error->message : "(accepted)");
      g_assert_null (address);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, invalid[i]));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VdsmClientAddress) address = vdsm_client_uri_parse (long_path, &error);

    g_assert_null (address);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/uri/tcp", test_tcp);
  g_test_add_func ("/client/uri/tls", test_tls);
  g_test_add_func ("/client/uri/unix", test_unix);
  g_test_add_func ("/client/uri/invalid", test_invalid);
  return g_test_run ();
}
