/* libvirt-events.c: turns libvirt domain life-cycle events into VDSM's
 * |virt|VM_status| events, and keeps what vdsmd knows of a VM (its parsed
 * definition, its display client) in step with libvirt's other events.
 *
 * libvirt delivers events only from an event loop implementation; vdsmd
 * uses libvirt's default one, run on a thread of its own so that event
 * delivery never waits for the GLib main loop or the RPC workers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "libvirt-events.h"

#include <gio/gio.h>
#include <libvirt/virterror.h>

#include "vdsm-rpc-events.h"
#include "vdsmd-domain.h"
#include "vdsmd-status.h"

/* Life cycle, graphics, and the four events that change a domain's
 * definition (devices added or removed, the guest's clock, VDSM's
 * metadata). */
#define N_CALLBACKS 6

struct _VdsmdLibvirtEvents {
  GThread *thread;
  gint quit;              /* atomic */
  VdsmdContext *ctx;
  VdsmRpcServer *server;
  int callback_ids[N_CALLBACKS];  /* -1 when not subscribed */
};

static gpointer
event_thread (gpointer data)
{
  VdsmdLibvirtEvents *events = data;

  while (!g_atomic_int_get (&events->quit))
    if (virEventRunDefaultImpl () < 0)
      g_warning ("libvirt event loop: %s", virGetLastErrorMessage ());
  return NULL;
}

VdsmdLibvirtEvents *
vdsmd_libvirt_events_new (GError **error)
{
  VdsmdLibvirtEvents *events;

  if (virEventRegisterDefaultImpl () < 0)
    {
      vdsmd_set_libvirt_error (error, "to set up its event loop");
      return NULL;
    }
  events = g_new0 (VdsmdLibvirtEvents, 1);
  for (gsize i = 0; i < N_CALLBACKS; i++)
    events->callback_ids[i] = -1;
  events->thread = g_thread_new ("libvirt-events", event_thread, events);
  return events;
}

static int
lifecycle_cb (virConnectPtr conn, virDomainPtr dom, int event, int detail,
              void *opaque)
{
  VdsmdLibvirtEvents *events = opaque;
  char uuid[VIR_UUID_STRING_BUFLEN];
  int state, reason;
  g_autoptr(VdsmStatusMap) map = NULL;

  vdsmd_context_vms_changed (events->ctx);
  if (virDomainGetUUIDString (dom, uuid) < 0)
    {
      g_warning ("life-cycle event of a domain without UUID: %s",
                 virGetLastErrorMessage ());
      return 0;
    }
  /* Starting fills in ports and devices; defining replaces it all. */
  vdsmd_context_definition_changed (events->ctx, uuid);
  if (!vdsmd_domain_event_state (event, detail, &state, &reason))
    return 0;

  if (event == VIR_DOMAIN_EVENT_STARTED)
    vdsmd_context_vm_started (events->ctx, uuid);
  else if (!vdsmd_domain_state_is_active (state))
    vdsmd_context_vm_stopped (events->ctx, uuid);

  g_debug ("VM %s: libvirt event %d/%d, now %s", uuid, event, detail,
           vdsmd_domain_status_text (state, reason));

  map = vdsm_status_map_new ();
  g_hash_table_insert (vdsm_status_map_get_table (map), g_strdup (uuid),
                       vdsmd_status_details_new (uuid, state, reason));
  vdsm_rpc_emit_virt_vm_status (events->server, uuid, map);
  return 0;
}

static void
definition_changed (VdsmdLibvirtEvents *events, virDomainPtr dom)
{
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (!vdsmd_domain_uuid_string (dom, uuid))
    return;
  vdsmd_context_definition_changed (events->ctx, uuid);
  vdsmd_context_vms_changed (events->ctx);
}

/* DEVICE_ADDED and DEVICE_REMOVED */
static void
device_cb (virConnectPtr conn, virDomainPtr dom, const char *alias,
           void *opaque)
{
  definition_changed (opaque, dom);
}

/* The guest set its clock: libvirt moved the <clock> adjustment. */
static void
rtc_change_cb (virConnectPtr conn, virDomainPtr dom, long long utc_offset,
               void *opaque)
{
  definition_changed (opaque, dom);
}

static void
metadata_cb (virConnectPtr conn, virDomainPtr dom, int type,
             const char *nsuri, void *opaque)
{
  definition_changed (opaque, dom);
}

/* clientIF's GRAPHICS handling: a client is known from the initialization
 * of its session until it disconnects. */
static void
graphics_cb (virConnectPtr conn, virDomainPtr dom, int phase,
             const virDomainEventGraphicsAddress *local,
             const virDomainEventGraphicsAddress *remote,
             const char *auth_scheme,
             const virDomainEventGraphicsSubject *subject, void *opaque)
{
  VdsmdLibvirtEvents *events = opaque;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (remote == NULL || remote->node == NULL ||
      (phase != VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE &&
       phase != VIR_DOMAIN_EVENT_GRAPHICS_DISCONNECT) ||
      !vdsmd_domain_uuid_string (dom, uuid))
    return;
  vdsmd_context_display_client (events->ctx, uuid, remote->node,
                                phase == VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE);
  vdsmd_context_vms_changed (events->ctx);
}

static gboolean
subscribe (VdsmdLibvirtEvents *events, gsize slot, int event_id,
           virConnectDomainEventGenericCallback cb, GError **error)
{
  events->callback_ids[slot] = virConnectDomainEventRegisterAny (
    events->ctx->conn, NULL, event_id, cb, events, NULL);
  if (events->callback_ids[slot] < 0)
    {
      vdsmd_set_libvirt_error (error, "to subscribe to domain events");
      return FALSE;
    }
  return TRUE;
}

gboolean
vdsmd_libvirt_events_subscribe (VdsmdLibvirtEvents *events,
                                VdsmdContext *ctx, VdsmRpcServer *server,
                                GError **error)
{
  events->ctx = ctx;
  events->server = server;
  return subscribe (events, 0, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                    VIR_DOMAIN_EVENT_CALLBACK (lifecycle_cb), error) &&
         subscribe (events, 1, VIR_DOMAIN_EVENT_ID_GRAPHICS,
                    VIR_DOMAIN_EVENT_CALLBACK (graphics_cb), error) &&
         subscribe (events, 2, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                    VIR_DOMAIN_EVENT_CALLBACK (device_cb), error) &&
         subscribe (events, 3, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                    VIR_DOMAIN_EVENT_CALLBACK (device_cb), error) &&
         subscribe (events, 4, VIR_DOMAIN_EVENT_ID_RTC_CHANGE,
                    VIR_DOMAIN_EVENT_CALLBACK (rtc_change_cb), error) &&
         subscribe (events, 5, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                    VIR_DOMAIN_EVENT_CALLBACK (metadata_cb), error);
}

static void
wake_cb (int timer, void *opaque)
{
  virEventRemoveTimeout (timer);
}

void
vdsmd_libvirt_events_free (VdsmdLibvirtEvents *events)
{
  if (events == NULL)
    return;
  for (gsize i = 0; i < N_CALLBACKS; i++)
    if (events->callback_ids[i] >= 0)
      virConnectDomainEventDeregisterAny (events->ctx->conn,
                                          events->callback_ids[i]);
  g_atomic_int_set (&events->quit, TRUE);
  /* virEventRunDefaultImpl() blocks until something happens: an immediate
   * timer makes it return so that the thread sees the quit flag. */
  if (virEventAddTimeout (0, wake_cb, NULL, NULL) < 0)
    {
      /* The thread still uses @events: leave both to process exit. */
      g_warning ("cannot wake the libvirt event thread: %s",
                 virGetLastErrorMessage ());
      return;
    }
  g_thread_join (events->thread);
  g_free (events);
}
