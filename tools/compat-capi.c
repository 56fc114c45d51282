/* compat-capi.c: the generated C API's view of a schema change
 * (docs/compat.md "Two views"): what a program compiled against the old
 * headers of libvdsm (vdsm-types.h, vdsm-client-methods.h) uses that is
 * gone, changed or moved in the new ones.
 *
 * It compares the generator's own model of both schemas (gen-model.h) by C
 * name, not the schemas: a type removed, renamed or changed in kind; an
 * enum constant removed or renumbered (constants count from 0 in schema
 * order); a struct field removed, retyped or moved (fields follow the
 * schema order, optional scalars with a has_ flag before them); a client
 * function whose arguments or answer changed. Every such change is
 * BREAKING: the program either no longer compiles or, compiled before,
 * reads the wrong memory. Whatever a program could not have used (a new
 * field after the old ones, a new constant at the end) is left to the
 * wire's lines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "compat-private.h"

#include "gen-fragments.h"
#include "gen-model.h"

#include <string.h>

/* One member of a generated struct, in declaration order. */
typedef struct {
  const char *name;
  const char *ctype;
  guint line;         /* the schema line that declares it */
} CSlot;

static CompatLocation
type_location (const GenType *type)
{
  return compat_location (type->schema->file, type->schema->line);
}

static const char *
c_kind_word (const GenType *type)
{
  switch (type->kind)
    {
    case GEN_TYPE_ENUM:
      return "enum";
    case GEN_TYPE_UNION:
      return "struct (of a union)";
    case GEN_TYPE_MAP:
      return "boxed map";
    case GEN_TYPE_OBJECT:
    default:
      return "struct";
    }
}

static GHashTable *
types_by_camel (GenModel *model)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < model->types->len; i++)
    {
      GenType *type = g_ptr_array_index (model->types, i);

      g_hash_table_insert (table, type->camel, type);
    }
  return table;
}

static int
find_name (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (strcmp (g_ptr_array_index (names, i), name) == 0)
      return (int) i;
  return -1;
}

/* Enum constants are numbered by position: one removed breaks the
 * programs that name it, one moved changes the value compiled into them. */
static void
compare_constants (GPtrArray *changes, const char *camel, GPtrArray *oc, GPtrArray *nc,
                   CompatLocation ol, CompatLocation nl)
{
  g_autoptr (GString) removed = g_string_new (NULL);
  g_autoptr (GString) moved = g_string_new (NULL);

  for (guint i = 0; i < oc->len; i++)
    {
      const char *constant = g_ptr_array_index (oc, i);
      int j = find_name (nc, constant);

      if (j < 0)
        g_string_append_printf (removed, "%s%s", removed->len > 0 ? ", " : "", constant);
      else if ((guint) j != i)
        g_string_append_printf (moved, "%s%s %u->%d", moved->len > 0 ? ", " : "",
                                constant, i, j);
    }
  if (removed->len > 0)
    compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                       "C API: enum %s: constants removed: %s", camel, removed->str);
  if (moved->len > 0)
    compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                       "C API: enum %s: constants renumbered: %s; programs compiled "
                       "against the old header use the old numbers", camel, moved->str);
}

static void
add_slot (GArray *slots, const char *name, const char *ctype, guint line)
{
  CSlot slot = { name, ctype, line };

  g_array_append_val (slots, slot);
}

/* The members of the struct the generator emits for @type (emit-types.c). */
static GArray *
struct_slots (const GenType *type)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (CSlot));

  if (type->kind == GEN_TYPE_UNION)
    add_slot (slots, "kind", type->kind_camel, type->schema->line);
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      guint line = field->member != NULL ? field->member->line : field->schema_ref->line;

      if (field->has_name != NULL)
        add_slot (slots, field->has_name, "gboolean", line);
      add_slot (slots, field->c_name, field->ref->ctype, line);
    }
  return slots;
}

static int
find_slot (GArray *slots, const char *name)
{
  for (guint i = 0; i < slots->len; i++)
    if (strcmp (g_array_index (slots, CSlot, i).name, name) == 0)
      return (int) i;
  return -1;
}

static void
compare_structs (GPtrArray *changes, const GenType *ot, const GenType *nt)
{
  g_autoptr (GArray) os = struct_slots (ot);
  g_autoptr (GArray) ns = struct_slots (nt);
  g_autoptr (GString) removed = g_string_new (NULL);
  g_autoptr (GString) moved = g_string_new (NULL);
  CompatLocation ol = type_location (ot), nl = type_location (nt);

  for (guint i = 0; i < os->len; i++)
    {
      const CSlot *o = &g_array_index (os, CSlot, i);
      int j = find_slot (ns, o->name);
      const CSlot *n = j >= 0 ? &g_array_index (ns, CSlot, j) : NULL;

      if (n == NULL)
        {
          g_string_append_printf (removed, "%s%s", removed->len > 0 ? ", " : "", o->name);
          continue;
        }
      if (strcmp (o->ctype, n->ctype) != 0)
        compat_add_change (changes, COMPAT_BREAKING, compat_location (ot->schema->file, o->line),
                           compat_location (nt->schema->file, n->line),
                           "C API: struct %s: field %s changed type from %s to %s",
                           ot->camel, o->name, o->ctype, n->ctype);
      if ((guint) j != i)
        g_string_append_printf (moved, "%s%s %u->%d", moved->len > 0 ? ", " : "",
                                o->name, i + 1, j + 1);
    }
  if (removed->len > 0)
    compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                       "C API: struct %s: fields removed (with their accessors): %s",
                       ot->camel, removed->str);
  if (moved->len > 0)
    compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                       "C API: struct %s: fields moved: %s; programs compiled against the "
                       "old header read the wrong fields", ot->camel, moved->str);
}

static GPtrArray *
union_kind_constants (const GenType *type)
{
  GPtrArray *constants = g_ptr_array_new ();

  for (guint i = 0; i < type->fields->len; i++)
    g_ptr_array_add (constants, ((GenField *) g_ptr_array_index (type->fields, i))->kind_const);
  return constants;
}

static void
compare_type (GPtrArray *changes, const GenType *ot, const GenType *nt)
{
  CompatLocation ol = type_location (ot), nl = type_location (nt);

  if (ot->kind != nt->kind)
    {
      compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                         "C API: %s %s became a %s", c_kind_word (ot), ot->camel,
                         c_kind_word (nt));
      return;
    }
  switch (ot->kind)
    {
    case GEN_TYPE_ENUM:
      compare_constants (changes, ot->camel, ot->consts, nt->consts, ol, nl);
      break;
    case GEN_TYPE_UNION:
      {
        g_autoptr (GPtrArray) oc = union_kind_constants (ot);
        g_autoptr (GPtrArray) nc = union_kind_constants (nt);

        compare_constants (changes, ot->kind_camel, oc, nc, ol, nl);
      }
      compare_structs (changes, ot, nt);
      break;
    case GEN_TYPE_OBJECT:
      compare_structs (changes, ot, nt);
      break;
    case GEN_TYPE_MAP:
      if (strcmp (ot->value->ctype, nt->value->ctype) != 0)
        compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                           "C API: boxed map %s: values changed type from %s to %s",
                           ot->camel, ot->value->ctype, nt->value->ctype);
      break;
    default:
      break;
    }
}

static void
compare_types (GPtrArray *changes, GenModel *om, GenModel *nm)
{
  g_autoptr (GHashTable) new_types = types_by_camel (nm);

  for (guint i = 0; i < om->types->len; i++)
    {
      const GenType *ot = g_ptr_array_index (om->types, i);
      const GenType *nt = g_hash_table_lookup (new_types, ot->camel);
      CompatLocation nowhere = { NULL, 0 };

      if (nt == NULL)
        compat_add_change (changes, COMPAT_BREAKING, type_location (ot), nowhere,
                           "C API: %s %s removed (with its functions)", c_kind_word (ot),
                           ot->camel);
      else
        compare_type (changes, ot, nt);
    }
}

static const GenMethod *
find_method (GenModel *model, const char *name)
{
  for (guint i = 0; i < model->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (model->methods, i);

      if (strcmp (method->method->name, name) == 0)
        return method;
    }
  return NULL;
}

/* The arguments a client call takes between the client and the
 * cancellable, as the header declares them. */
static char *
client_arguments (const GenMethod *method)
{
  g_autofree char *decls = gen_param_decls (method->params, GEN_PARAMS_CLIENT);

  return g_strdup_printf ("(%s)", decls[0] != '\0' ? decls + 2 : "");
}

/* A removed method is the wire's line already; a kept one must keep its
 * three C functions as they were. */
static void
compare_methods (GPtrArray *changes, GenModel *om, GenModel *nm)
{
  for (guint i = 0; i < om->methods->len; i++)
    {
      const GenMethod *o = g_ptr_array_index (om->methods, i);
      const GenMethod *n = find_method (nm, o->method->name);
      g_autofree char *oa = NULL;
      g_autofree char *na = NULL;
      CompatLocation ol, nl;

      if (n == NULL)
        continue;
      ol = compat_location (o->method->file, o->method->line);
      nl = compat_location (n->method->file, n->method->line);
      if (strcmp (o->id, n->id) != 0)
        {
          compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                             "C API: vdsm_client_%s renamed to vdsm_client_%s", o->id, n->id);
          continue;
        }
      oa = client_arguments (o);
      na = client_arguments (n);
      if (strcmp (oa, na) != 0)
        compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                           "C API: vdsm_client_%s: arguments changed from %s to %s",
                           o->id, oa, na);
      if (strcmp (gen_client_ret_ctype (o), gen_client_ret_ctype (n)) != 0)
        compat_add_change (changes, COMPAT_BREAKING, ol, nl,
                           "C API: vdsm_client_%s: answers %s instead of %s", o->id,
                           gen_client_ret_ctype (n), gen_client_ret_ctype (o));
    }
}

void
compat_capi_compare (VdsmSchema *old_schema, VdsmSchema *new_schema, GPtrArray *changes)
{
  g_autoptr (GenModel) om = gen_model_new (old_schema, TRUE);
  g_autoptr (GenModel) nm = gen_model_new (new_schema, TRUE);

  compare_types (changes, om, nm);
  compare_methods (changes, om, nm);
}
