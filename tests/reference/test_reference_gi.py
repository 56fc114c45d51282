"""VDSM's real schema (vdsm-api.yml + vdsm-events.yml, unchanged) as a libvdsm
with its typelib, used from Python through gi: every method is a client call
(async, finish, sync), every generated type reads and writes its JSON
unchanged, and the schema's irregularities are warnings with file:line.

Run by meson (suite 'reference'), which points GI_TYPELIB_PATH and
LD_LIBRARY_PATH at build/tests/reference/api and names the tools in
VDSM_SCHEMA_TOOL and VDSM_REFERENCE_MANIFEST."""
import json
import os
import re
import subprocess
import tempfile

import pytest

REFERENCE_DIR = os.environ.get("VDSM_REFERENCE_SCHEMA_DIR", "")
API = os.path.join(REFERENCE_DIR, "vdsm-api.yml")
EVENTS = os.path.join(REFERENCE_DIR, "vdsm-events.yml")

if not (os.path.isfile(API) and os.path.isfile(EVENTS)):
    pytest.skip(f"reference schema not found in '{REFERENCE_DIR}' "
                "(VDSM_REFERENCE_SCHEMA_DIR)", allow_module_level=True)
for var in ("GI_TYPELIB_PATH", "VDSM_SCHEMA_TOOL", "VDSM_REFERENCE_MANIFEST"):
    if not os.environ.get(var):
        pytest.skip(f"{var} is not set: run through `meson test --suite reference`",
                    allow_module_level=True)

import gi  # noqa: E402

gi.require_version("Vdsm", "1.0")
gi.require_version("Json", "1.0")
gi.require_version("GIRepository", "2.0")
from gi.repository import GIRepository, Json, Vdsm  # noqa: E402

LOCATED_WARNING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): warning: ")


@pytest.fixture(scope="module")
def manifest():
    out = subprocess.run([os.environ["VDSM_REFERENCE_MANIFEST"], API, EVENTS],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def types_of(manifest, *kinds):
    return [t for t in manifest["types"] if t["kind"] in kinds]


def test_loaded_the_reference_library():
    # The typelib in GI_TYPELIB_PATH, not an installed libvdsm.
    repo = gi.Repository.get_default()
    path = repo.get_typelib_path("Vdsm")
    assert os.path.dirname(path) == os.environ["GI_TYPELIB_PATH"]
    Vdsm.Client  # resolving a type loads the typelib's shared library
    with open("/proc/self/maps") as maps:
        assert "libvdsm-reference.so" in maps.read()


def test_every_method_is_a_client_call(manifest):
    # VDSM's vdsm-api.yml has 205 methods.
    assert len(manifest["methods"]) == 205
    missing = []
    for method in manifest["methods"]:
        for suffix in ("", "_finish", "_sync"):
            if not hasattr(Vdsm.Client, method["id"] + suffix):
                missing.append(method["name"] + " -> " + method["id"] + suffix)
    assert not missing, missing


def test_call_shapes(manifest):
    for method in manifest["methods"]:
        call = getattr(Vdsm.Client, method["id"])
        sync = getattr(Vdsm.Client, method["id"] + "_sync")
        finish = getattr(Vdsm.Client, method["id"] + "_finish")
        names = [a.get_name() for a in call.get_arguments()]
        assert names[-3:] == ["cancellable", "callback", "user_data"], method
        assert [a.get_name() for a in sync.get_arguments()][-1] == "cancellable", method
        # The sync call takes the async call's arguments up to cancellable.
        assert ([a.get_name() for a in sync.get_arguments()]
                == names[:-2]), method
        assert sync.can_throw_gerror() and finish.can_throw_gerror(), method
        if not method["returns"]:
            assert sync.get_return_type().get_tag_as_string() == "gboolean", method


def test_deprecation_reaches_the_typelib(manifest):
    # 4 methods of VDSM's vdsm-api.yml are deprecated.
    deprecated = [m for m in manifest["methods"] if m["deprecated"]]
    assert len(deprecated) == 4
    for method in manifest["methods"]:
        for suffix in ("", "_finish", "_sync"):
            info = getattr(Vdsm.Client, method["id"] + suffix)
            assert info.is_deprecated() == method["deprecated"], method


@pytest.mark.parametrize("kind", ["object", "union"])
def test_boxed_types_round_trip(manifest, kind):
    checked = 0
    for t in types_of(manifest, kind):
        cls = getattr(Vdsm, t["camel"][len("Vdsm"):])
        value = cls.new_from_json_string(t["sample"])
        assert json.loads(value.to_json_string()) == json.loads(t["sample"]), t["key"]
        if kind == "union":
            # The sample is the first member, so that one matched.
            assert int(value.get_kind()) == 0, t["key"]
        checked += 1
    assert checked > 0


def test_enums_have_every_value(manifest):
    for t in types_of(manifest, "enum"):
        cls = getattr(Vdsm, t["camel"][len("Vdsm"):])
        for i, text in enumerate(t["values"]):
            assert cls.to_string(cls(i)) == text, (t["key"], text)
            ok, value = cls.from_string(text)
            assert ok and int(value) == i, (t["key"], text)
        assert not cls.from_string("no such value")[0]


def map_class(camel):
    return getattr(Vdsm, camel[len("Vdsm"):])


def test_every_map_reads_and_round_trips(manifest):
    # Each map of the model: read from JSON, read back through get_keys and
    # lookup, rebuilt entry by entry from Python, copied, written unchanged.
    maps = types_of(manifest, "map")
    checked = 0
    for t in maps:
        cls = map_class(t["camel"])
        expected = json.loads(t["sample"])
        value = cls.new_from_json_string(t["sample"])
        assert isinstance(value, cls), t["key"]
        assert value.size() == len(expected), t["key"]
        keys = value.get_keys()
        assert keys == sorted(expected), t["key"]
        rebuilt = cls.new()
        assert rebuilt.size() == 0 and rebuilt.get_keys() == [], t["key"]
        for key in keys:
            assert value.contains(key), (t["key"], key)
            item = value.lookup(key)
            assert item is not None, (t["key"], key)
            rebuilt.insert(key, item)
        assert not value.contains("no such key"), t["key"]
        assert value.get_table().keys() == set(expected), t["key"]
        for written in (value, rebuilt, value.copy(), cls.from_json(Json.from_string(t["sample"]))):
            assert json.loads(written.to_json_string()) == expected, t["key"]
        assert rebuilt.remove(keys[0]) and not rebuilt.remove(keys[0]), t["key"]
        assert json.loads(rebuilt.to_json_string()) == {}, t["key"]
        checked += 1
    assert checked == len(maps) > 0


def test_every_map_is_a_boxed_type_in_the_typelib(manifest):
    # Counted from the typelib, independently of the manifest's list.
    repo = gi.Repository.get_default()
    in_typelib = {info.get_name() for info in repo.get_infos("Vdsm")
                  if info.get_type() == GIRepository.InfoType.STRUCT
                  and info.find_method("get_keys") is not None
                  and info.find_method("lookup") is not None}
    assert in_typelib == {t["camel"][len("Vdsm"):] for t in types_of(manifest, "map")}


def test_map_values_from_python():
    # Scalar values are the JSON values they came as; strings are strings.
    strings = Vdsm.StringMap.new()
    strings.insert("k", "v\u00e9")
    assert strings.lookup("k") == "v\u00e9"
    assert json.loads(strings.to_json_string()) == {"k": "v\u00e9"}
    flags = Vdsm.DeviceVisibilityMap.new()
    flags.insert("/dev/sda", Json.from_string("true"))
    assert flags.lookup("/dev/sda").get_boolean() is True
    assert flags.to_json_string() == '{"/dev/sda":true}'
    lists = Vdsm.StringListMap.new()
    lists.insert("eth0", ["a", "b"])
    assert lists.lookup("eth0") == ["a", "b"]
    assert strings.lookup("other") is None
    assert Vdsm.StringMap.new_from_json_string("{}").get_keys() == []
    with pytest.raises(gi.repository.GLib.Error):
        Vdsm.StringMap.new_from_json_string('{"k": 1}')


def test_map_fields_of_objects(manifest):
    # Every object field holding a map (or a list of maps) reads back as
    # that map type from Python.
    checked = 0
    for t in types_of(manifest, "object"):
        if not t["map_fields"]:
            continue
        cls = getattr(Vdsm, t["camel"][len("Vdsm"):])
        value = cls.new_from_json_string(t["sample"])
        sample = json.loads(t["sample"])
        for field in t["map_fields"]:
            got = getattr(value, "get_" + field["accessor"])()
            maps = got if field["list"] else [got]
            assert all(isinstance(m, map_class(field["map"])) for m in maps), (t["key"], field)
            if field["rest"]:
                expected = [{k: v for k, v in sample.items() if k not in field["rest_of"]}]
            else:
                expected = sample[field["name"]] if field["list"] else [sample[field["name"]]]
            assert [json.loads(m.to_json_string()) for m in maps] == expected, (t["key"], field)
            checked += 1
    assert checked == sum(len(t["map_fields"]) for t in types_of(manifest, "object")) > 0


def test_map_results_and_params_are_the_boxed_types(manifest):
    repo = gi.Repository.get_default()
    returning = [m for m in manifest["methods"] if m["returns_map"]]
    assert returning
    for method in returning:
        struct = repo.find_by_name("Vdsm", method["returns_map"][len("Vdsm"):])
        for suffix in ("_finish", "_sync"):
            info = getattr(Vdsm.Client, method["id"] + suffix)
            ret = info.get_return_type()
            assert ret.get_tag_as_string() == "interface", method
            assert ret.get_interface() == struct, method
            assert info.get_caller_owns() == GIRepository.Transfer.EVERYTHING, method
    taking = [m for m in manifest["methods"] if m["map_params"]]
    assert taking
    for method in taking:
        args = {a.get_name(): a for a in getattr(Vdsm.Client, method["id"] + "_sync").get_arguments()}
        for name, camel in method["map_params"].items():
            assert args[name].get_type().get_interface().get_name() == camel[len("Vdsm"):], method


def test_events_have_typed_params():
    # An event's params, as the client's event signal hands them over.
    node = Json.from_string('{"notify_time": 5, "id": "1b4e28ba", '
                            '"job_info": {"id": "1b4e28ba", "status": "DONE", '
                            '"description": "d", "job_type": "t"}}')
    event = Vdsm.JobsStatusEvent.from_json(node)
    assert event.get_id() == "1b4e28ba"
    assert event.get_job_info().get_status() == Vdsm.EventsJobStatus.DONE
    # |virt|VM_status| is a no_name event: its map sits next to notify_time,
    # as VDSM sends it.
    node = Json.from_string('{"notify_time": 7, "1b4e28ba": {"status": "Up"}}')
    event = Vdsm.VirtVmStatusEvent.from_json(node)
    assert event.get_notify_time() == 7
    assert event.get_no_name().lookup("1b4e28ba").get_status() == Vdsm.VmStatus.UP
    assert hasattr(Vdsm, "VirtVmMigrationStatusEvent")
    assert hasattr(Vdsm, "NetHostConnEvent")


def test_bad_json_is_a_gerror(manifest):
    t = types_of(manifest, "object")[0]
    cls = getattr(Vdsm, t["camel"][len("Vdsm"):])
    with pytest.raises(gi.repository.GLib.Error):
        cls.new_from_json_string("[1, 2")


def test_oddities_are_located_warnings():
    with tempfile.TemporaryDirectory(prefix="vdsm-reference-") as out:
        run = subprocess.run([os.environ["VDSM_SCHEMA_TOOL"], "generate",
                              "--output-dir", out, API, EVENTS],
                             capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    located = {}
    for line in run.stderr.splitlines():
        m = LOCATED_WARNING.match(line)
        assert m, f"not a file:line warning: {line}"
        located.setdefault((os.path.basename(m["file"]), int(m["line"])), []).append(line)
    # A sample of the irregular input docs/schema-language.md §3.7, §4, §6 and §10
    # describe, each reported where it is.
    for where in [("vdsm-api.yml", 1050),    # #1 duplicate keys merge two properties
                  ("vdsm-api.yml", 7167),    # #3 `object` as a member type
                  ("vdsm-api.yml", 2238),    # #4 no type key
                  ("vdsm-api.yml", 598),     # #5 a type given as the kind
                  ("vdsm-api.yml", 9249),    # #11 dict
                  ("vdsm-api.yml", 6536),    # #14 duplicate property
                  ("vdsm-api.yml", 556),     # #18 float enum key
                  ("vdsm-api.yml", 1667),    # #25 any_string
                  ("vdsm-events.yml", 177),  # #36 split properties
                  ("vdsm-events.yml", 279)]: # #42 bare type name
        assert where in located, where
