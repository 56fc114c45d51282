/* test-client-delivery.c: outcomes handed from VdsmClient's I/O thread to
 * the caller's main context, with the I/O thread slowed at the worst moment.
 *
 * The I/O thread completes a call by attaching a source to the caller's
 * context. As soon as it is attached the caller may run it and free the
 * context (a _sync call frees its private one at once). If the I/O thread
 * then drops its own reference to the source, GLib reads the source's
 * context pointer and locks that context, racing with its finalization: in
 * long runs of _sync calls this corrupted the heap.
 *
 * This program interposes three GLib calls that libvdsm makes through the
 * PLT. g_source_attach() on the I/O thread sleeps after attaching, so the
 * caller has time to finish and drop its context. Each test context carries
 * a sentinel source whose destroy notify marks the context finalized. And
 * g_source_unref() on the I/O thread checks that the context of the source
 * it releases is still alive: that is the invariant the client must keep.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include "vdsm-client.h"

#include "fake-stomp-server.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#define N_CALLS 40
#define IO_THREAD_PAUSE_US 2000

typedef struct {
  gint finalized;
} ContextWatch;

/* The caller's context of the call in flight, and its watch. */
static GMainContext *watched_context;
static ContextWatch *watch;
static GSource *delivery_source;      /* attached to watched_context by the I/O thread */
static gint slow_every_attach;       /* the sync-calls test */
static gint n_slowed;
static gint n_unsafe_unrefs;

static gpointer
real_function (gsize *slot, const char *name)
{
  if (g_once_init_enter (slot))
    g_once_init_leave (slot, (gsize) dlsym (RTLD_NEXT, name));
  return (gpointer) *slot;
}

static gboolean
on_io_thread (void)
{
  char name[16] = "";

  return pthread_getname_np (pthread_self (), name, sizeof name) == 0
         && strcmp (name, "vdsm-client") == 0;
}

guint
g_source_attach (GSource *source, GMainContext *context)
{
  static gsize real;
  guint (*attach) (GSource *, GMainContext *) = real_function (&real, "g_source_attach");
  guint id;

  if (on_io_thread () && context != NULL && context == g_atomic_pointer_get (&watched_context))
    {
      g_atomic_pointer_set (&delivery_source, source);
      id = attach (source, context);
      g_atomic_int_inc (&n_slowed);
      g_usleep (IO_THREAD_PAUSE_US);
      return id;
    }
  id = attach (source, context);
  if (on_io_thread () && g_atomic_int_get (&slow_every_attach))
    g_usleep (IO_THREAD_PAUSE_US / 8);
  return id;
}

void
g_source_unref (GSource *source)
{
  static gsize real;
  void (*unref) (GSource *) = real_function (&real, "g_source_unref");

  if (on_io_thread () && source == g_atomic_pointer_get (&delivery_source))
    {
      if (g_atomic_int_get (&watch->finalized))
        g_atomic_int_inc (&n_unsafe_unrefs);
      g_atomic_pointer_set (&delivery_source, NULL);
    }
  unref (source);
}

static gboolean
never (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
mark_finalized (gpointer data)
{
  ContextWatch *w = data;

  g_atomic_int_set (&w->finalized, 1);
}

/* A new context that tells when it is finalized: its sources are destroyed
 * then, this sentinel among them. */
static GMainContext *
watched_context_new (ContextWatch *w)
{
  GMainContext *context = g_main_context_new ();
  g_autoptr(GSource) sentinel = g_timeout_source_new_seconds (3600);

  g_source_set_callback (sentinel, never, w, mark_finalized);
  g_source_attach (sentinel, context);
  return context;
}

static void
store_result (GObject *source, GAsyncResult *res, gpointer data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (res);
}

static void
wait_until_released (ContextWatch *w)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_atomic_pointer_get (&delivery_source) != NULL || !g_atomic_int_get (&w->finalized))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100);
    }
}

/* Each call runs in a fresh context that the caller frees as soon as the
 * outcome is in, as a _sync call does with its private context. */
static void
test_context_freed_after_outcome (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GError) error = NULL;

  fake_server_start_tcp (server);
  client = vdsm_client_new_sync (server->uri, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_CALLS; i++)
    {
      ContextWatch w = { 0, };
      GMainContext *context = watched_context_new (&w);
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(JsonNode) result = NULL;

      watch = &w;
      g_atomic_pointer_set (&watched_context, context);
      g_main_context_push_thread_default (context);
      vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
      while (res == NULL)
        g_main_context_iteration (context, TRUE);
      g_main_context_pop_thread_default (context);
      result = vdsm_client_call_finish (client, res, &error);
      g_assert_no_error (error);
      g_clear_object (&res);
      g_main_context_unref (context);

      /* The I/O thread releases the delivery source, then the context goes
       * with whoever drops the last reference. */
      wait_until_released (&w);
      g_atomic_pointer_set (&watched_context, NULL);
    }
  g_assert_cmpint (g_atomic_int_get (&n_slowed), ==, N_CALLS);
  g_assert_cmpint (g_atomic_int_get (&n_unsafe_unrefs), ==, 0);
}

/* Many _sync calls from several threads on one client, the I/O thread
 * slowed after each delivery: no call is lost, nothing is reported. */
#define N_THREADS 8

static gpointer
sync_caller (gpointer data)
{
  VdsmClient *client = data;

  for (guint i = 0; i < N_CALLS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (result);
    }
  return NULL;
}

static void
test_sync_calls_from_threads (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GThread *threads[N_THREADS];

  fake_server_start_tcp (server);
  client = vdsm_client_new_sync (server->uri, NULL, &error);
  g_assert_no_error (error);

  g_atomic_int_set (&slow_every_attach, 1);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("sync-caller", sync_caller, client);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_atomic_int_set (&slow_every_attach, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/delivery/context-freed-after-outcome",
                   test_context_freed_after_outcome);
  g_test_add_func ("/client/delivery/sync-calls-from-threads", test_sync_calls_from_threads);

  return g_test_run ();
}
