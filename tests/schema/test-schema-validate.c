/* test-schema-validate.c: a table of good and bad JSON values checked
 * against the reference schema and a small inline schema, each asserting
 * acceptance or the exact error text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "vdsm-schema.h"

/* What the cases exercise that the reference files lack (nested lists,
 * every primitive as a param, maps keyed by numbers, a union with common
 * properties, markers on params of our own). */
static const char inline_schema[] =
  "types:\n"
  "    Color: &Color\n"
  "        added: '1.0'\n"
  "        description: An enum with mixed keys.\n"
  "        name: Color\n"
  "        type: enum\n"
  "        values:\n"
  "            red: Red\n"
  "            'on': Quoted on\n"
  "            0: Zero\n"
  "            2.50: Two and a half\n"
  "    Point: &Point\n"
  "        added: '1.0'\n"
  "        description: A point.\n"
  "        name: Point\n"
  "        type: object\n"
  "        properties:\n"
  "        -   name: x\n"
  "            type: int\n"
  "            description: X.\n"
  "        -   name: y\n"
  "            type: int\n"
  "            description: Y.\n"
  "            defaultvalue: 0\n"
  "        -   name: label\n"
  "            type: string\n"
  "            description: A label.\n"
  "            defaultvalue: no-default\n"
  "        -   name: tag\n"
  "            type: string\n"
  "            description: A tag.\n"
  "            defaultvalue: needs updating\n"
  "    Circle: &Circle\n"
  "        added: '1.0'\n"
  "        description: A circle.\n"
  "        name: Circle\n"
  "        type: object\n"
  "        properties:\n"
  "        -   name: kind\n"
  "            type: string\n"
  "            description: Always circle.\n"
  "        -   name: radius\n"
  "            type: float\n"
  "            description: Radius.\n"
  "    Square: &Square\n"
  "        added: '1.0'\n"
  "        description: A square.\n"
  "        name: Square\n"
  "        type: object\n"
  "        properties:\n"
  "        -   name: side\n"
  "            type: uint\n"
  "            description: Side.\n"
  "    Shape: &Shape\n"
  "        added: '1.0'\n"
  "        description: A union with a common property.\n"
  "        name: Shape\n"
  "        type: union\n"
  "        properties:\n"
  "        -   name: kind\n"
  "            type: string\n"
  "            description: The discriminator.\n"
  "        values:\n"
  "        - *Circle\n"
  "        - *Square\n"
  "        - string\n"
  "    CountMap: &CountMap\n"
  "        added: '1.0'\n"
  "        description: uint keys.\n"
  "        name: CountMap\n"
  "        type: map\n"
  "        key-type: uint\n"
  "        value-type:\n"
  "        -   int\n"
  "    ColorMap: &ColorMap\n"
  "        added: '1.0'\n"
  "        description: enum keys.\n"
  "        name: ColorMap\n"
  "        type: map\n"
  "        key-type: *Color\n"
  "        value-type: *Point\n"
  "Test.prims:\n"
  "    added: '1.0'\n"
  "    description: Every primitive.\n"
  "    params:\n"
  "    -   name: s\n"
  "        type: string\n"
  "        description: s\n"
  "        defaultvalue: null\n"
  "    -   name: b\n"
  "        type: boolean\n"
  "        description: b\n"
  "        defaultvalue: false\n"
  "    -   name: i\n"
  "        type: int\n"
  "        description: i\n"
  "        defaultvalue: 0\n"
  "    -   name: u\n"
  "        type: uint\n"
  "        description: u\n"
  "        defaultvalue: 0\n"
  "    -   name: l\n"
  "        type: long\n"
  "        description: l\n"
  "        defaultvalue: 0\n"
  "    -   name: ul\n"
  "        type: ulong\n"
  "        description: ul\n"
  "        defaultvalue: 0\n"
  "    -   name: f\n"
  "        type: float\n"
  "        description: f\n"
  "        defaultvalue: 0\n"
  "    -   name: grid\n"
  "        type:\n"
  "        -   -   int\n"
  "        description: A list of lists.\n"
  "        defaultvalue: null\n"
  "    -   name: points\n"
  "        type:\n"
  "        - *Point\n"
  "        description: Points.\n"
  "        defaultvalue: null\n"
  "    -   name: shape\n"
  "        type: *Shape\n"
  "        description: A shape.\n"
  "        defaultvalue: null\n"
  "    -   name: counts\n"
  "        type: *CountMap\n"
  "        description: Counts.\n"
  "        defaultvalue: null\n"
  "    -   name: colors\n"
  "        type: *ColorMap\n"
  "        description: Colors.\n"
  "        defaultvalue: null\n"
  "    -   name: color\n"
  "        type: *Color\n"
  "        description: A color.\n"
  "        defaultvalue: null\n"
  "    return:\n"
  "        type: *Point\n"
  "        description: A point.\n";

typedef enum {
  ON_TYPE,        /* validate_value over a type of the reference schema */
  ON_PARAMS,      /* validate_params of a reference method */
  ON_RESULT,      /* validate_result of a reference method */
  ON_EVENT,       /* validate_event of a reference event */
  ON_INLINE,      /* validate_params of Test.prims in the inline schema */
  ON_INLINE_TYPE, /* validate_value over an inline schema type */
} Target;

typedef struct {
  Target target;
  const char *name;
  const char *json;
  const char *error;            /* NULL: the value is accepted */
} Case;

#define VM "\"5f0e1ba3-0000-4000-8000-000000000001\""

static const Case cases[] = {
  /* enums, typed keys and source text (docs/schema-language.md §9.3) */
  { ON_TYPE, "VmStatus", "\"Up\"", NULL },
  { ON_TYPE, "VmStatus", "\"Migration Source\"", NULL },
  { ON_TYPE, "VmStatus", "\"Upp\"", "value: \"Upp\" is not a value of enum VmStatus" },
  { ON_TYPE, "VmStatus", "\"up\"", "value: \"up\" is not a value of enum VmStatus" },
  { ON_TYPE, "VmStatus", "1", "value: 1 is not a value of enum VmStatus" },
  { ON_TYPE, "VmStatus", "[\"Up\"]", "value: [\"Up\"] is not a value of enum VmStatus" },
  { ON_TYPE, "VmStatus", "null", "value: null is not a value of enum VmStatus" },
  { ON_TYPE, "Qcow2Compat", "\"0.10\"", NULL },
  { ON_TYPE, "Qcow2Compat", "0.1", NULL },
  { ON_TYPE, "Qcow2Compat", "0.10", NULL },
  { ON_TYPE, "Qcow2Compat", "1.1", NULL },
  { ON_TYPE, "Qcow2Compat", "\"1.1\"", NULL },
  { ON_TYPE, "Qcow2Compat", "\"0.1\"", "value: \"0.1\" is not a value of enum Qcow2Compat" },
  { ON_TYPE, "Qcow2Compat", "1", "value: 1 is not a value of enum Qcow2Compat" },
  { ON_TYPE, "AutoNumaBalancingStatus", "0", NULL },
  { ON_TYPE, "AutoNumaBalancingStatus", "2", NULL },
  { ON_TYPE, "AutoNumaBalancingStatus", "\"0\"", NULL },
  { ON_TYPE, "AutoNumaBalancingStatus", "0.0", NULL },
  { ON_TYPE, "AutoNumaBalancingStatus", "false",
    "value: false is not a value of enum AutoNumaBalancingStatus" },
  { ON_TYPE, "AutoNumaBalancingStatus", "3",
    "value: 3 is not a value of enum AutoNumaBalancingStatus" },
  { ON_TYPE, "StorageDomainTypeId", "7", NULL },
  { ON_TYPE, "StorageDomainTypeId", "5", "value: 5 is not a value of enum StorageDomainTypeId" },
  { ON_TYPE, "StorageDomainStatus", "\"Active\"", NULL },
  { ON_TYPE, "StorageDomainStatus", "\"active\"", NULL },
  { ON_TYPE, "TaskResult", "\"\"", NULL },
  /* aliases check their source only */
  { ON_TYPE, "UUID", VM, NULL },
  { ON_TYPE, "UUID", "\"not-a-uuid\"", NULL },
  { ON_TYPE, "UUID", "12", "value: expected string, got 12" },
  /* objects */
  { ON_TYPE, "VmShortStatus", "{\"vmId\": " VM ", \"status\": \"Up\"}", NULL },
  { ON_TYPE, "VmShortStatus", "{\"vmId\": " VM "}",
    "value: missing required key \"status\" of VmShortStatus" },
  { ON_TYPE, "VmShortStatus", "{\"vmId\": " VM ", \"status\": null}",
    "value: missing required key \"status\" of VmShortStatus" },
  { ON_TYPE, "VmShortStatus", "{\"vmId\": 5, \"status\": \"Up\"}",
    "value.vmId: expected string, got 5" },
  { ON_TYPE, "VmShortStatus", "{\"vmId\": " VM ", \"status\": \"Up\", \"x\": 1, \"y\": 2}",
    "value: unknown keys \"x\", \"y\" in VmShortStatus" },
  { ON_TYPE, "VmShortStatus", "{\"vmId\": " VM ", \"status\": \"Up\", \"x\": 1}",
    "value: unknown key \"x\" in VmShortStatus" },
  { ON_TYPE, "VmShortStatus", "\"Up\"", "value: expected object VmShortStatus, got \"Up\"" },
  { ON_TYPE, "VmShortStatus", "[]", "value: expected object VmShortStatus, got []" },
  /* any_string: extra keys accepted, their values checked */
  { ON_TYPE, "HookScriptAdditional", "{}", NULL },
  { ON_TYPE, "HookScriptAdditional", "{\"50_vhostmd\": {\"checksum\": \"abc\"}}", NULL },
  { ON_TYPE, "HookScriptAdditional", "{\"a\": {\"checksum\": 1}}",
    "value.a.checksum: expected string, got 1" },
  { ON_TYPE, "HookScriptAdditional", "{\"a\": {}}",
    "value.a: missing required key \"checksum\" of HookScriptInfo" },
  { ON_TYPE, "HookScriptAdditional", "[]", "value: expected object HookScriptAdditional, got []" },
  /* unions (§9.4) */
  { ON_TYPE, "DriveSpec", "{\"GUID\": \"x\"}", NULL },
  { ON_TYPE, "DriveSpec", "{\"path\": \"/a\"}", NULL },
  { ON_TYPE, "DriveSpec", "{\"volumeID\": " VM ", \"device\": \"disk\", \"poolID\": " VM
    ", \"domainID\": " VM ", \"imageID\": " VM "}", NULL },
  { ON_TYPE, "DriveSpec", "{\"volumeID\": " VM "}",
    "value: missing required key \"device\" of DriveSpecVolume" },
  { ON_TYPE, "DriveSpec", "{\"GUID\": \"x\", \"path\": \"/a\"}",
    "value: {\"GUID\":\"x\",\"path\":\"/a\"} matches no member of union DriveSpec" },
  { ON_TYPE, "DriveSpec", "\"x\"", "value: \"x\" matches no member of union DriveSpec" },
  { ON_TYPE, "DriveSpec", "{\"GUID\": 1}", "value.GUID: expected string, got 1" },
  { ON_TYPE, "VmInfo", VM, NULL },
  { ON_TYPE, "VmInfo", "{\"vmId\": " VM ", \"status\": \"Down\"}", NULL },
  { ON_TYPE, "VmInfo", "{\"vmId\": " VM ", \"status\": \"Dead\"}",
    "value: missing required key \"memSize\" of VmDefinition" },
  { ON_TYPE, "VmInfo", "5", "value: 5 matches no member of union VmInfo" },
  { ON_TYPE, "VmSharedDriveType", "true", NULL },
  { ON_TYPE, "VmSharedDriveType", "\"exclusive\"", NULL },
  { ON_TYPE, "VmSharedDriveType", "\"always\"",
    "value: \"always\" matches no member of union VmSharedDriveType" },
  { ON_TYPE, "VmSharedDriveType", "1", "value: 1 matches no member of union VmSharedDriveType" },
  /* maps */
  { ON_TYPE, "NumaNodeHugePagesMap", "{\"0\": {\"totalPages\": \"4\"}}", NULL },
  { ON_TYPE, "NumaNodeHugePagesMap", "{}", NULL },
  { ON_TYPE, "NumaNodeHugePagesMap", "{\"x\": {\"totalPages\": \"4\"}}",
    "value: key \"x\" is not a uint" },
  { ON_TYPE, "NumaNodeHugePagesMap", "{\"-1\": {\"totalPages\": \"4\"}}",
    "value: key \"-1\" is not a uint" },
  { ON_TYPE, "NumaNodeHugePagesMap", "[]", "value: expected map NumaNodeHugePagesMap, got []" },
  { ON_TYPE, "NumaNodeHugePagesMap", "{\"1\": {\"totalPages\": 4}}",
    "value[\"1\"].totalPages: expected string, got 4" },
  /* Qcow2Bitmaps is a typedef of the object (§3.7) */
  { ON_TYPE, "Qcow2Bitmaps", "[]", "value: expected object Qcow2BitmapInfo, got []" },

  /* request params (§9.1) */
  { ON_PARAMS, "VM.getStats", "{\"vmID\": " VM "}", NULL },
  { ON_PARAMS, "VM.getStats", "[" VM "]", NULL },
  { ON_PARAMS, "VM.getStats", "{\"vmID\": 12}", "params.vmID: expected string, got 12" },
  { ON_PARAMS, "VM.getStats", "{}", "params: missing required parameter \"vmID\" of VM.getStats" },
  { ON_PARAMS, "VM.getStats", "null", "params: missing required parameter \"vmID\" of VM.getStats" },
  { ON_PARAMS, "VM.getStats", "{\"vmID\": null}",
    "params: missing required parameter \"vmID\" of VM.getStats" },
  { ON_PARAMS, "VM.getStats", "[null]",
    "params: missing required parameter \"vmID\" of VM.getStats" },
  { ON_PARAMS, "VM.getStats", "[" VM ", 1]",
    "params: too many parameters for VM.getStats: 2 given, at most 1" },
  { ON_PARAMS, "VM.getStats", "{\"vmID\": " VM ", \"vmId\": 1}",
    "params: unknown parameter \"vmId\" for VM.getStats" },
  { ON_PARAMS, "VM.getStats", "{\"a\": 1, \"b\": 2}",
    "params: unknown parameters \"a\", \"b\" for VM.getStats" },
  { ON_PARAMS, "VM.getStats", "5", "params: expected an object or an array, got 5" },
  { ON_PARAMS, "Host.getVMList", "{}", NULL },
  { ON_PARAMS, "Host.getVMList", "null", NULL },
  { ON_PARAMS, "Host.getVMList", "[]", NULL },
  { ON_PARAMS, "Host.getVMList", "[true, [" VM "], false]", NULL },
  { ON_PARAMS, "Host.getVMList", "{\"fullStatus\": true, \"onlyUUID\": null}", NULL },
  { ON_PARAMS, "Host.getVMList", "{\"fullStatus\": 1}",
    "params.fullStatus: expected boolean, got 1" },
  { ON_PARAMS, "Host.getVMList", "{\"vmList\": " VM "}",
    "params.vmList: expected a list, got " VM },
  { ON_PARAMS, "Host.getVMList", "{\"vmList\": [" VM ", 7]}",
    "params.vmList[1]: expected string, got 7" },
  { ON_PARAMS, "Host.getVMList", "[false, [], false, 1]",
    "params: too many parameters for Host.getVMList: 4 given, at most 3" },
  { ON_PARAMS, "Host.setMOMPolicyParameters", "{\"key_value_store\": {\"a\": [1]}}", NULL },
  { ON_PARAMS, "Host.setMOMPolicyParameters", "{\"key_value_store\": [1]}",
    "params.key_value_store: expected an object, got [1]" },
  { ON_PARAMS, "Host.getStats", "{}", NULL },
  { ON_PARAMS, "Host.getStats", "{\"x\": 1}", "params: unknown parameter \"x\" for Host.getStats" },

  /* results (§9.6) */
  { ON_RESULT, "Host.getVMList", "[" VM "]", NULL },
  { ON_RESULT, "Host.getVMList", "[{\"vmId\": " VM ", \"status\": \"Up\"}, " VM "]", NULL },
  { ON_RESULT, "Host.getVMList", "[" VM ", 3]", "result[1]: 3 matches no member of union VmInfo" },
  { ON_RESULT, "Host.getVMList", "{}", "result: expected a list, got {}" },
  { ON_RESULT, "Host.getVMList", "null", "result: expected a list, got null" },
  { ON_RESULT, "VM.getStats", "[]", NULL },
  { ON_RESULT, "VM.getStats", "7", "result: expected a list, got 7" },
  { ON_RESULT, "Host.setMOMPolicyParameters", "\"anything\"", NULL },

  /* events (§8, §9.6) */
  { ON_EVENT, "|virt|VM_status|", "{\"notify_time\": 5, " VM ": {\"status\": \"Up\"}}", NULL },
  { ON_EVENT, "|virt|VM_status|", "{\"notify_time\": 5, " VM ": {\"status\": \"Upp\"}}",
    "params[\"5f0e1ba3-0000-4000-8000-000000000001\"].status: \"Upp\" is not a value of enum VmStatus" },
  { ON_EVENT, "|virt|VM_status|", "{" VM ": {\"status\": \"Up\"}}",
    "params: missing required parameter \"notify_time\" of event |virt|VM_status|" },
  { ON_EVENT, "|virt|VM_status|", "{\"notify_time\": -5}",
    "params.notify_time: expected uint, got -5" },
  { ON_EVENT, "|net|host_conn|", "{\"notify_time\": 5, \"extra\": true}", NULL },
  { ON_EVENT, "|net|host_conn|", "[]", "params: expected an object, got []" },

  /* primitives (§5) */
  { ON_INLINE, NULL, "{\"s\": \"x\", \"b\": true, \"i\": -3, \"u\": 3, \"l\": 1.5, \"ul\": 2,"
    " \"f\": 1}", NULL },
  { ON_INLINE, NULL, "{\"s\": 1}", "params.s: expected string, got 1" },
  { ON_INLINE, NULL, "{\"s\": true}", "params.s: expected string, got true" },
  { ON_INLINE, NULL, "{\"b\": 0}", "params.b: expected boolean, got 0" },
  /* Top-level scalar params also take their text, as vdsm-client sends them. */
  { ON_INLINE, NULL, "{\"b\": \"true\"}", NULL },
  { ON_INLINE, NULL, "{\"b\": \"FALSE\"}", NULL },
  { ON_INLINE, NULL, "{\"b\": \"yes\"}", "params.b: expected boolean, got \"yes\"" },
  { ON_INLINE, NULL, "{\"i\": true}", "params.i: expected int, got true" },
  { ON_INLINE, NULL, "{\"i\": 1.0}", "params.i: expected int, got 1.0" },
  { ON_INLINE, NULL, "{\"i\": \"1\"}", NULL },
  { ON_INLINE, NULL, "{\"i\": \"1.5\"}", "params.i: expected int, got \"1.5\"" },
  { ON_INLINE, NULL, "{\"i\": \" 1\"}", "params.i: expected int, got \" 1\"" },
  { ON_INLINE, NULL, "{\"u\": \"-1\"}", "params.u: expected uint, got -1" },
  { ON_INLINE, NULL, "{\"i\": 9223372036854775807}", NULL },
  { ON_INLINE, NULL, "{\"u\": -1}", "params.u: expected uint, got -1" },
  { ON_INLINE, NULL, "{\"u\": false}", "params.u: expected uint, got false" },
  { ON_INLINE, NULL, "{\"u\": 0}", NULL },
  { ON_INLINE, NULL, "{\"l\": -1.5}", NULL },
  { ON_INLINE, NULL, "{\"l\": \"5\"}", NULL },
  { ON_INLINE, NULL, "{\"l\": \"five\"}", "params.l: expected long, got \"five\"" },
  { ON_INLINE, NULL, "{\"l\": true}", "params.l: expected long, got true" },
  { ON_INLINE, NULL, "{\"ul\": 0.5}", NULL },
  { ON_INLINE, NULL, "{\"ul\": -0.5}", "params.ul: expected ulong, got -0.5" },
  { ON_INLINE, NULL, "{\"f\": 1.25}", NULL },
  { ON_INLINE, NULL, "{\"f\": -2}", NULL },
  { ON_INLINE, NULL, "{\"f\": true}", "params.f: expected float, got true" },
  { ON_INLINE, NULL, "{\"f\": \"1.0\"}", NULL },
  { ON_INLINE, NULL, "{\"f\": \"inf\"}", "params.f: expected float, got \"inf\"" },
  { ON_INLINE, NULL, "{\"f\": \"1.0x\"}", "params.f: expected float, got \"1.0x\"" },
  /* nested lists */
  { ON_INLINE, NULL, "{\"grid\": [[1, 2], [], [3]]}", NULL },
  { ON_INLINE, NULL, "{\"grid\": []}", NULL },
  { ON_INLINE, NULL, "{\"grid\": [1]}", "params.grid[0]: expected a list, got 1" },
  /* ...but nested values never do. */
  { ON_INLINE, NULL, "{\"grid\": [[1], [2, \"3\"]]}", "params.grid[1][1]: expected int, got \"3\"" },
  { ON_INLINE, NULL, "{\"grid\": [[null]]}", "params.grid[0][0]: expected int, got null" },
  /* objects: defaults, markers */
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1}]}", NULL },
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1, \"y\": null, \"label\": null}]}", NULL },
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1, \"label\": 5}]}",
    "params.points[0].label: expected string, got 5" },
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1, \"tag\": \"t\"}]}", NULL },
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1, \"tag\": 1}]}",
    "params.points[0].tag: expected string, got 1" },
  { ON_INLINE, NULL, "{\"points\": [{\"y\": 1}]}",
    "params.points[0]: missing required key \"x\" of Point" },
  { ON_INLINE, NULL, "{\"points\": [{\"x\": 1}, {\"x\": 2, \"z\": 3}]}",
    "params.points[1]: unknown key \"z\" in Point" },
  /* a union with a common property and a scalar member */
  { ON_INLINE, NULL, "{\"shape\": {\"kind\": \"circle\", \"radius\": 2}}", NULL },
  { ON_INLINE, NULL, "{\"shape\": {\"kind\": \"square\", \"side\": 2}}", NULL },
  { ON_INLINE, NULL, "{\"shape\": {\"side\": 2}}", NULL },
  { ON_INLINE, NULL, "{\"shape\": \"a shape\"}", NULL },
  { ON_INLINE, NULL, "{\"shape\": {\"kind\": 1, \"side\": 2}}", "params.shape.kind: expected string, got 1" },
  { ON_INLINE, NULL, "{\"shape\": {\"side\": -2}}", "params.shape.side: expected uint, got -2" },
  { ON_INLINE, NULL, "{\"shape\": {\"radius\": 1, \"side\": 2}}",
    "params.shape: {\"radius\":1,\"side\":2} matches no member of union Shape" },
  { ON_INLINE, NULL, "{\"shape\": 4}", "params.shape: 4 matches no member of union Shape" },
  /* maps with uint and enum keys */
  { ON_INLINE, NULL, "{\"counts\": {\"0\": [1], \"18446744073709551615\": []}}", NULL },
  { ON_INLINE, NULL, "{\"counts\": {\"1.5\": []}}", "params.counts: key \"1.5\" is not a uint" },
  { ON_INLINE, NULL, "{\"counts\": {\"+1\": []}}", "params.counts: key \"+1\" is not a uint" },
  { ON_INLINE, NULL, "{\"counts\": {\"7\": [1, true]}}",
    "params.counts[\"7\"][1]: expected int, got true" },
  { ON_INLINE, NULL, "{\"colors\": {\"red\": {\"x\": 1}, \"0\": {\"x\": 2}, \"2.50\": {\"x\": 3}}}",
    NULL },
  { ON_INLINE, NULL, "{\"colors\": {\"blue\": {\"x\": 1}}}",
    "params.colors: key \"blue\" is not a value of enum Color" },
  { ON_INLINE, NULL, "{\"colors\": {\"2.5\": {\"x\": 1}}}",
    "params.colors: key \"2.5\" is not a value of enum Color" },
  /* enum of mixed keys */
  { ON_INLINE, NULL, "{\"color\": \"on\"}", NULL },
  { ON_INLINE, NULL, "{\"color\": 0}", NULL },
  { ON_INLINE, NULL, "{\"color\": 2.5}", NULL },
  { ON_INLINE, NULL, "{\"color\": \"2.50\"}", NULL },
  { ON_INLINE, NULL, "{\"color\": true}", "params.color: true is not a value of enum Color" },
  { ON_INLINE, NULL, "{\"color\": \"Red\"}", "params.color: \"Red\" is not a value of enum Color" },
  { ON_INLINE_TYPE, "Point", "{\"x\": 1, \"y\": 2}", NULL },
  { ON_INLINE_TYPE, "Point", "{\"x\": 1, \"y\": 2.5}", "value.y: expected int, got 2.5" },
  { ON_INLINE_TYPE, "Shape",
    "{\"kind\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"x\": 1}",
    "value: {\"kind\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... "
    "matches no member of union Shape" },
};

typedef struct {
  VdsmSchema *reference;        /* NULL when the files are absent */
  VdsmSchema *inline_schema;
} Schemas;

static Schemas schemas;

static JsonNode *
parse (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
run_case (const Case *c, GError **error)
{
  VdsmSchema *schema = c->target == ON_INLINE || c->target == ON_INLINE_TYPE
                       ? schemas.inline_schema : schemas.reference;
  g_autoptr (JsonNode) value = parse (c->json);

  switch (c->target)
    {
    case ON_TYPE:
    case ON_INLINE_TYPE:
      {
        const VdsmSchemaType *type = vdsm_schema_lookup_type (schema, c->name);
        VdsmSchemaTypeRef ref = { .kind = VDSM_SCHEMA_REF_NAMED };

        g_assert_nonnull (type);
        ref.type = (VdsmSchemaType *) type;
        return vdsm_schema_validate_value (&ref, value, "value", error);
      }
    case ON_PARAMS:
    case ON_INLINE:
      {
        const VdsmSchemaMethod *method =
          vdsm_schema_lookup_method (schema, c->name ? c->name : "Test.prims");
        g_autoptr (JsonObject) named = NULL;

        g_assert_nonnull (method);
        named = vdsm_schema_validate_params (method, value, error);
        return named != NULL;
      }
    case ON_RESULT:
      {
        const VdsmSchemaMethod *method = vdsm_schema_lookup_method (schema, c->name);

        g_assert_nonnull (method);
        return vdsm_schema_validate_result (method, value, error);
      }
    case ON_EVENT:
    default:
      {
        const VdsmSchemaEvent *event = vdsm_schema_lookup_event (schema, c->name);

        g_assert_nonnull (event);
        return vdsm_schema_validate_event (event, value, error);
      }
    }
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if ((c->target != ON_INLINE && c->target != ON_INLINE_TYPE) && schemas.reference == NULL)
    {
      g_test_skip ("reference schema files not found (VDSM_REFERENCE_SCHEMA_DIR)");
      return;
    }
  ok = run_case (c, &error);
  if (c->error == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, c->error);
    }
}

/* Positional params come back named, and nulls are dropped. */
static void
test_params_named (void)
{
  const VdsmSchemaMethod *method = vdsm_schema_lookup_method (schemas.inline_schema, "Test.prims");
  g_autoptr (JsonNode) value = parse ("[\"a\", null, 5]");
  g_autoptr (JsonObject) named = NULL;
  g_autoptr (GError) error = NULL;

  named = vdsm_schema_validate_params (method, value, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (named), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (named, "s"), ==, "a");
  g_assert_false (json_object_has_member (named, "b"));
  g_assert_cmpint (json_object_get_int_member (named, "i"), ==, 5);
}

/* A recursive type (made through a bare name) meets a deeply nested value:
 * the validator's depth bound fails it cleanly. */
static void
test_deep_value (void)
{
  static const char tree_schema[] =
    "types:\n"
    "    Tree: &Tree\n"
    "        added: '1.0'\n"
    "        description: Recursive through a bare name.\n"
    "        name: Tree\n"
    "        type: object\n"
    "        properties:\n"
    "        -   name: kids\n"
    "            type:\n"
    "            -   Tree\n"
    "            description: Children.\n"
    "            defaultvalue: null\n";
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GString) json = g_string_new (NULL);
  g_autoptr (JsonNode) value = NULL;
  g_autoptr (GError) error = NULL;
  VdsmSchemaTypeRef ref = { .kind = VDSM_SCHEMA_REF_NAMED };

  g_assert_true (vdsm_schema_load_data (schema, "tree.yml", tree_schema, strlen (tree_schema),
                                        VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  ref.type = (VdsmSchemaType *) vdsm_schema_lookup_type (schema, "Tree");
  for (guint i = 0; i < 10; i++)
    g_string_append (json, "{\"kids\": [");
  g_string_append (json, "{}");
  for (guint i = 0; i < 10; i++)
    g_string_append (json, "]}");
  value = parse (json->str);
  g_assert_true (vdsm_schema_validate_value (&ref, value, "value", &error));
  g_assert_no_error (error);
  g_clear_pointer (&value, json_node_unref);

  g_string_truncate (json, 0);
  for (guint i = 0; i < 2000; i++)
    g_string_append (json, "{\"kids\": [");
  for (guint i = 0; i < 2000; i++)
    g_string_append (json, "]}");
  value = parse (json->str);
  g_assert_false (vdsm_schema_validate_value (&ref, value, "value", &error));
  g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "value.kids[0].kids[0]"));
  g_assert_true (g_str_has_suffix (error->message, ": the value is nested more than 64 levels deep"));
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("VDSM_REFERENCE_SCHEMA_DIR");
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  schemas.inline_schema = vdsm_schema_new ();
  if (!vdsm_schema_load_data (schemas.inline_schema, "inline.yml", inline_schema,
                              strlen (inline_schema), VDSM_SCHEMA_LOAD_DEFAULT, &error))
    g_error ("the inline schema does not load: %s", error->message);
  if (dir != NULL)
    {
      g_autofree char *api = g_build_filename (dir, "vdsm-api.yml", NULL);
      g_autofree char *events = g_build_filename (dir, "vdsm-events.yml", NULL);

      if (g_file_test (api, G_FILE_TEST_EXISTS) && g_file_test (events, G_FILE_TEST_EXISTS))
        {
          schemas.reference = vdsm_schema_new ();
          if (!vdsm_schema_load_file (schemas.reference, api, 0, &error)
              || !vdsm_schema_load_file (schemas.reference, events, 0, &error))
            g_error ("the reference schema does not load: %s", error->message);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/schema/validate/%03u-%s", i,
                                               cases[i].error ? "bad" : "good");

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/schema/validate/params-named", test_params_named);
  g_test_add_func ("/schema/validate/deep-value", test_deep_value);

  status = g_test_run ();
  vdsm_schema_free (schemas.reference);
  vdsm_schema_free (schemas.inline_schema);
  return status;
}
