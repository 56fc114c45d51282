/* vdsmd-domain.c: libvirt domains seen through VDSM's eyes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-domain.h"

#include <gio/gio.h>
#include <libvirt/virterror.h>
#include <stdlib.h>

#include "vdsm-error-private.h"

/* VDSM's exit reason numbers (lib/vdsm/virt/vmexitreason.py). */
enum {
  EXIT_REASON_SUCCESS = 0,
  EXIT_REASON_GENERIC_ERROR = 1,
  EXIT_REASON_LOST_QEMU_CONNECTION = 2,
  EXIT_REASON_LIBVIRT_START_FAILED = 3,
  EXIT_REASON_MIGRATION_SUCCEEDED = 4,
  EXIT_REASON_SAVE_STATE_SUCCEEDED = 5,
  EXIT_REASON_ADMIN_SHUTDOWN = 6,
  EXIT_REASON_USER_SHUTDOWN = 7,
};

const char *
vdsmd_domain_status_text (int state, int reason)
{
  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
      return "Up";
    case VIR_DOMAIN_PAUSED:
      switch (reason)
        {
        case VIR_DOMAIN_PAUSED_MIGRATION:
        case VIR_DOMAIN_PAUSED_POSTCOPY:
          return "Migration Source";
        case VIR_DOMAIN_PAUSED_SAVE:
          return "Saving State";
        case VIR_DOMAIN_PAUSED_SHUTTING_DOWN:
          return "Powering down";
        case VIR_DOMAIN_PAUSED_STARTING_UP:
          return "Powering up";
        default:
          return "Paused";
        }
    case VIR_DOMAIN_SHUTDOWN:
      return "Powering down";
    case VIR_DOMAIN_PMSUSPENDED:
      return "Paused";
    case VIR_DOMAIN_SHUTOFF:
    case VIR_DOMAIN_CRASHED:
      return "Down";
    default:
      /* VIR_DOMAIN_NOSTATE: libvirt has not settled the domain yet. */
      return "WaitForLaunch";
    }
}

VdsmdExitInfo
vdsmd_domain_exit_info (int state, int reason)
{
  if (state == VIR_DOMAIN_CRASHED)
    return (VdsmdExitInfo) { VDSMD_EXIT_ERROR, EXIT_REASON_LOST_QEMU_CONNECTION,
                             "The VM crashed" };

  switch (reason)
    {
    case VIR_DOMAIN_SHUTOFF_SHUTDOWN:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL, EXIT_REASON_USER_SHUTDOWN,
                               "User shut down from within the guest" };
    case VIR_DOMAIN_SHUTOFF_DESTROYED:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL, EXIT_REASON_ADMIN_SHUTDOWN,
                               "Admin shut down" };
    case VIR_DOMAIN_SHUTOFF_CRASHED:
      return (VdsmdExitInfo) { VDSMD_EXIT_ERROR,
                               EXIT_REASON_LOST_QEMU_CONNECTION,
                               "The emulator crashed" };
    case VIR_DOMAIN_SHUTOFF_MIGRATED:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL,
                               EXIT_REASON_MIGRATION_SUCCEEDED,
                               "Migration succeeded" };
    case VIR_DOMAIN_SHUTOFF_SAVED:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL,
                               EXIT_REASON_SAVE_STATE_SUCCEEDED,
                               "SaveState succeeded" };
    case VIR_DOMAIN_SHUTOFF_FAILED:
      return (VdsmdExitInfo) { VDSMD_EXIT_ERROR,
                               EXIT_REASON_LIBVIRT_START_FAILED,
                               "The VM failed to start" };
    case VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL, EXIT_REASON_SUCCESS,
                               "Reverted to a snapshot of a stopped VM" };
    case VIR_DOMAIN_SHUTOFF_DAEMON:
      return (VdsmdExitInfo) { VDSMD_EXIT_ERROR, EXIT_REASON_GENERIC_ERROR,
                               "Stopped by libvirt" };
    default:
      return (VdsmdExitInfo) { VDSMD_EXIT_NORMAL, EXIT_REASON_SUCCESS,
                               "The VM is not running" };
    }
}

const char *
vdsmd_domain_pause_code (int state, int reason)
{
  if (state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_IOERROR)
    return "EOTHER";
  return "NOERR";
}

static int
suspended_reason (int detail)
{
  switch (detail)
    {
    case VIR_DOMAIN_EVENT_SUSPENDED_PAUSED:
      return VIR_DOMAIN_PAUSED_USER;
    case VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED:
      return VIR_DOMAIN_PAUSED_MIGRATION;
    case VIR_DOMAIN_EVENT_SUSPENDED_IOERROR:
      return VIR_DOMAIN_PAUSED_IOERROR;
    case VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG:
      return VIR_DOMAIN_PAUSED_WATCHDOG;
    case VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT:
      return VIR_DOMAIN_PAUSED_FROM_SNAPSHOT;
    case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY:
      return VIR_DOMAIN_PAUSED_POSTCOPY;
    case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED:
      return VIR_DOMAIN_PAUSED_POSTCOPY_FAILED;
    default:
      return VIR_DOMAIN_PAUSED_UNKNOWN;
    }
}

static int
stopped_reason (int detail)
{
  switch (detail)
    {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
      return VIR_DOMAIN_SHUTOFF_SHUTDOWN;
    case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
      return VIR_DOMAIN_SHUTOFF_DESTROYED;
    case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
      return VIR_DOMAIN_SHUTOFF_CRASHED;
    case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
      return VIR_DOMAIN_SHUTOFF_MIGRATED;
    case VIR_DOMAIN_EVENT_STOPPED_SAVED:
      return VIR_DOMAIN_SHUTOFF_SAVED;
    case VIR_DOMAIN_EVENT_STOPPED_FAILED:
      return VIR_DOMAIN_SHUTOFF_FAILED;
    case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
      return VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT;
    default:
      return VIR_DOMAIN_SHUTOFF_UNKNOWN;
    }
}

gboolean
vdsmd_domain_event_state (int event, int detail, int *state, int *reason)
{
  switch (event)
    {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      *state = VIR_DOMAIN_RUNNING;
      *reason = VIR_DOMAIN_RUNNING_UNKNOWN;
      return TRUE;
    case VIR_DOMAIN_EVENT_SUSPENDED:
      *state = VIR_DOMAIN_PAUSED;
      *reason = suspended_reason (detail);
      return TRUE;
    case VIR_DOMAIN_EVENT_STOPPED:
      *state = VIR_DOMAIN_SHUTOFF;
      *reason = stopped_reason (detail);
      return TRUE;
    case VIR_DOMAIN_EVENT_SHUTDOWN:
      *state = VIR_DOMAIN_SHUTDOWN;
      *reason = VIR_DOMAIN_SHUTDOWN_USER;
      return TRUE;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      *state = VIR_DOMAIN_PMSUSPENDED;
      *reason = VIR_DOMAIN_PMSUSPENDED_UNKNOWN;
      return TRUE;
    case VIR_DOMAIN_EVENT_CRASHED:
      *state = VIR_DOMAIN_CRASHED;
      *reason = VIR_DOMAIN_CRASHED_UNKNOWN;
      return TRUE;
    default:
      /* DEFINED and UNDEFINED change the configuration, not the state. */
      return FALSE;
    }
}

gboolean
vdsmd_domain_state_is_active (int state)
{
  return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED &&
         state != VIR_DOMAIN_NOSTATE;
}

virDomainPtr
vdsmd_domain_lookup (virConnectPtr conn, const char *vm_id, GError **error)
{
  virDomainPtr dom = virDomainLookupByUUIDString (conn, vm_id);
  virErrorPtr err;

  if (dom != NULL)
    return dom;

  /* An unparsable UUID cannot name a VM either: VDSM answers code 1 for
   * both. Other failures (a dead connection) are reported as they are. */
  err = virGetLastError ();
  if (err == NULL || err->code == VIR_ERR_NO_DOMAIN ||
      err->code == VIR_ERR_INVALID_ARG)
    {
      vdsm_error_set (error, VDSM_ERROR_NO_SUCH_VM, "{'vmId': '%s'}", vm_id);
      return NULL;
    }

  vdsmd_set_libvirt_error (error, "looking the VM up");
  return NULL;
}

gboolean
vdsmd_domain_uuid_string (virDomainPtr dom, char uuid[VIR_UUID_STRING_BUFLEN])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char raw[VIR_UUID_BUFLEN];
  char *p = uuid;

  /* virDomainGetUUIDString() formats with snprintf, which costs more than
   * the libvirt call itself when every domain of a large host is read. */
  if (virDomainGetUUID (dom, raw) < 0)
    return FALSE;
  for (int i = 0; i < VIR_UUID_BUFLEN; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *p++ = '-';
      *p++ = hex[raw[i] >> 4];
      *p++ = hex[raw[i] & 0xf];
    }
  *p = '\0';
  return TRUE;
}

void
vdsmd_domain_list_clear (VdsmdDomainList *list)
{
  for (int i = 0; i < list->n; i++)
    virDomainFree (list->doms[i]);
  free (list->doms);
}

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (virDomainGetName (*(virDomainPtr const *) a),
                    virDomainGetName (*(virDomainPtr const *) b));
}

gboolean
vdsmd_domain_list_all (virConnectPtr conn, VdsmdDomainList *list,
                       GError **error)
{
  list->n = virConnectListAllDomains (conn, &list->doms, 0);
  if (list->n < 0)
    {
      list->n = 0;
      vdsmd_set_libvirt_error (error, "to list the VMs");
      return FALSE;
    }
  qsort (list->doms, (size_t) list->n, sizeof *list->doms, compare_names);
  return TRUE;
}

gboolean
vdsmd_domain_vanished (void)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->code == VIR_ERR_NO_DOMAIN;
}

char *
vdsmd_qemu_pid_dir (virConnectPtr conn)
{
  const char *type = virConnectGetType (conn);
  g_autofree char *uri = NULL;

  if (g_strcmp0 (type, "QEMU") != 0)
    return NULL;
  uri = virConnectGetURI (conn);
  /* The state directories of libvirt's QEMU driver (qemu_conf.c). */
  if (uri != NULL && g_str_has_suffix (uri, "/system"))
    return g_strdup ("/run/libvirt/qemu");
  if (uri != NULL && g_str_has_suffix (uri, "/session"))
    return g_build_filename (g_get_user_runtime_dir (), "libvirt", "qemu",
                             "run", NULL);
  return NULL;
}

guint64
vdsmd_qemu_pid (const char *pid_dir, const char *name)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint64 pid;
  char *end;

  if (pid_dir == NULL)
    return 0;
  file = g_strconcat (name, ".pid", NULL);
  path = g_build_filename (pid_dir, file, NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  pid = g_ascii_strtoull (text, &end, 10);
  return end != text ? pid : 0;
}

void
vdsmd_set_libvirt_error (GError **error, const char *what)
{
  const char *message = virGetLastErrorMessage ();

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libvirt failed %s: %s",
               what, message);
}
