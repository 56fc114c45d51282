"""The generated libvdsm-1.0 client, used from Python through gi, against a real
vdsmd over TCP and the unix socket."""
import json
import xml.etree.ElementTree as ET

import gi
import pytest

gi.require_version("Vdsm", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Json, Vdsm  # noqa: E402

from conftest import SOURCE_ROOT  # noqa: E402

EVENT_TIMEOUT_MS = 10000


def host_definition_vms():
    """{uuid: (name, libvirt run state)} as written in data/host.xml."""
    tree = ET.parse(f"{SOURCE_ROOT}/data/host.xml")
    vms = {}
    for dom in tree.getroot().iter("domain"):
        state = None
        for child in dom:
            if child.tag.endswith("runstate"):
                state = int(child.text)
        vms[dom.findtext("uuid")] = (dom.findtext("name"), state)
    return vms


@pytest.fixture(params=["tcp", "unix"])
def client(request, vdsmd):
    c = Vdsm.Client.new_sync(vdsmd[request.param], None)
    yield c
    c.close()


def test_ping(client):
    assert client.host_ping_sync(None) is True


def test_vm_list_matches_host_definition(client):
    infos = client.host_get_vm_list_sync(False, None, True, None)
    assert all(i.get_kind() == Vdsm.VmInfoKind.UUID for i in infos)
    listed = {i.get_uuid() for i in infos}
    assert listed == set(host_definition_vms())


def test_vm_list_full_records(client):
    infos = client.host_get_vm_list_sync(False, None, False, None)
    assert infos
    for info in infos:
        assert info.get_kind() == Vdsm.VmInfoKind.VM_SHORT_STATUS
        short = info.get_vm_short_status()
        assert short.get_vm_id() in host_definition_vms()


def test_vm_stats_for_every_vm(client):
    for vm_id in host_definition_vms():
        stats = client.vm_get_stats_sync(vm_id, None)
        assert len(stats) == 1
        doc = json.loads(stats[0].to_json_string())
        assert doc["vmId"] == vm_id
        assert doc["status"] in ("Up", "Paused", "Down", "Powering up",
                                 "Powering down", "Suspended")


def test_all_vm_stats(client):
    stats = client.host_get_all_vm_stats_sync(None)
    ids = {json.loads(s.to_json_string())["vmId"] for s in stats}
    assert ids == set(host_definition_vms())


def test_host_stats_and_capabilities(client):
    stats = json.loads(client.host_get_stats_sync(None).to_json_string())
    assert int(stats["memFree"]) >= 0
    assert stats["vmCount"] == len(host_definition_vms())
    caps = client.host_get_capabilities_sync(None)
    doc = json.loads(caps.to_json_string())
    assert doc["cpuCores"]
    assert doc["memSize"]
    # A map field reads as its boxed map type.
    packages = caps.get_packages2()
    assert isinstance(packages, Vdsm.SoftwarePackageInfoMap)
    assert {"libvirt", "vdsm"} <= set(packages.get_keys())
    assert packages.lookup("vdsm").get_version() == doc["packages2"]["vdsm"]["version"]


def test_unknown_vm_is_a_vdsm_error(client):
    with pytest.raises(GLib.Error) as exc:
        client.vm_get_stats_sync("00000000-0000-0000-0000-00000000dead", None)
    assert exc.value.domain == GLib.quark_to_string(Vdsm.error_quark())
    assert exc.value.code == 1


def test_generic_call_reports_bad_params(client):
    params = Json.from_string('{"vmID": 12}')
    with pytest.raises(GLib.Error) as exc:
        client.call_sync("VM.getStats", params, None)
    assert exc.value.code == -32602
    assert "vmID" in exc.value.message


def test_destroy_emits_status_event(vdsmd):
    """Destroy a running VM and receive its |virt|VM_status| event as a signal."""
    client = Vdsm.Client.new_sync(vdsmd["tcp"], None)
    running = [u for u, (_, state) in host_definition_vms().items() if state == 1]
    target = None
    for vm_id in running:
        doc = json.loads(client.vm_get_stats_sync(vm_id, None)[0].to_json_string())
        if doc["status"] == "Up":
            target = vm_id
            break
    assert target, "data/host.xml has no running VM left"

    loop = GLib.MainLoop()
    seen = []

    def on_event(_client, event_id, params):
        payload = json.loads(Json.to_string(params, False))
        seen.append((event_id, payload))
        if event_id.endswith(target):
            loop.quit()

    client.connect("event::virt.VM_status", on_event)
    assert client.vm_destroy_sync(target, 0, None) is True
    GLib.timeout_add(EVENT_TIMEOUT_MS, loop.quit)
    loop.run()
    mine = [p for e, p in seen if e == f"|virt|VM_status|{target}"]
    assert mine, f"no VM_status event for {target}; got {seen}"
    assert mine[-1][target]["status"] == "Down"
    assert isinstance(mine[-1]["notify_time"], int)
    doc = json.loads(client.vm_get_stats_sync(target, None)[0].to_json_string())
    assert doc["status"] == "Down"
    client.close()
