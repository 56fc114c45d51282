/* compat.c: the schema compatibility checker, as a client on the wire sees
 * it (docs/compat.md); compat-capi.c adds the generated C API's view.
 *
 * Values flow in two directions. Method params go from clients to the
 * server (input): a new schema may accept more than the old one did, never
 * less. Returns and event params go from the server to clients (output):
 * a new schema may send less than old clients were promised, never more.
 * A type reachable both ways must stay as it is.
 *
 * Types are matched by where they are used (param, property, return, union
 * member...), not by name, so a renamed type with the same structure is a
 * compatible change. The comparison runs in two passes: the first walks
 * every method and event and pairs old types with new ones, collecting the
 * directions each pair is reached from; the second compares each pair once,
 * with all of its directions, so a change in a shared type is reported once
 * at the type's own lines.
 *
 * A third verdict, RISKY, is for changes the schema allows but old clients
 * may stumble over: a new enum value or union member in an output (a
 * client that switches over the values, or a generated reader that knows
 * only the old ones), a changed default, params that moved (callers that
 * pass params as an array). RISKY does not fail the command unless asked
 * (--fail-on-risky): such changes are how the API grows. DEPRECATED marks
 * what a release announces it will remove; DESCRIPTION lists changed texts
 * for a reviewer, since a changed meaning is invisible in the shapes.
 *
 * A type no method or event reaches is not on the wire: its changes, and
 * the removal of any type (its uses are judged where they change), are
 * COMPATIBLE here; the C API's view judges them as C declarations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "compat-private.h"

#include <string.h>

enum {
  DIR_IN = 1 << 0,
  DIR_OUT = 1 << 1,
  DIR_BOTH = DIR_IN | DIR_OUT,
};

/* An old type and the new type found at the same places. */
typedef struct {
  const VdsmSchemaType *o, *n;
  guint dirs;
  char *in_use, *out_use;   /* the first place each direction was found at */
  const char *unused;       /* matched by key only, as no method or event of both
                             * reaches it: why it is not on the wire; else NULL */
} TypePair;

/* How the values of a compared item flow, for its verdict and its note. */
typedef struct {
  guint dirs;
  const char *in_use, *out_use;
  const char *unused;
} Flow;

typedef struct {
  VdsmSchema *old_schema, *new_schema;
  const CompatOptions *options;
  GPtrArray *changes;         /* CompatChange*, in the order found */
  GHashTable *pairs;          /* "o/n" -> TypePair* (owned) */
  GPtrArray *pair_order;      /* TypePair*, the order found */
  GHashTable *old_paired;     /* VdsmSchemaType* in some pair, or an alias
                               * that a pair looked through */
  GHashTable *new_paired;
  GHashTable *old_reachable;  /* VdsmSchemaType* some old method or event reaches */
} Compat;

/* A change whose verdict depends on the direction: what it is for input
 * values and for output values. */
typedef enum {
  POLARITY_NEUTRAL,   /* the same values, spelled differently */
  POLARITY_WIDEN,     /* accepts more values than before */
  POLARITY_NARROW,    /* accepts fewer values */
  POLARITY_CHANGE,    /* neither */
} Polarity;

static const CompatSeverity polarity_in[] = {
  COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, COMPAT_BREAKING, COMPAT_BREAKING,
};
static const CompatSeverity polarity_out[] = {
  COMPAT_COMPATIBLE, COMPAT_BREAKING, COMPAT_COMPATIBLE, COMPAT_BREAKING,
};
static const char *const polarity_word[] = {
  " (same values)", " (widened)", " (narrowed)", "",
};

static const CompatLocation nowhere = { NULL, 0 };

/**
 * compat_severity_name:
 * @severity: a severity
 *
 * Returns: (transfer none): "BREAKING", "RISKY", "DEPRECATED", "COMPATIBLE"
 *   or "DESCRIPTION".
 */
const char *
compat_severity_name (CompatSeverity severity)
{
  switch (severity)
    {
    case COMPAT_BREAKING:
      return "BREAKING";
    case COMPAT_RISKY:
      return "RISKY";
    case COMPAT_DEPRECATED:
      return "DEPRECATED";
    case COMPAT_DESCRIPTION:
      return "DESCRIPTION";
    case COMPAT_COMPATIBLE:
    default:
      return "COMPATIBLE";
    }
}

static void
location_append (GString *out, const CompatLocation *loc)
{
  if (loc->file == NULL)
    g_string_append_c (out, '-');
  else
    g_string_append_printf (out, "%s:%u", loc->file, loc->line);
}

/**
 * compat_change_format:
 * @change: a change
 *
 * Returns: (transfer full): the change as one report line, without newline.
 */
char *
compat_change_format (const CompatChange *change)
{
  GString *out = g_string_new (compat_severity_name (change->severity));

  g_string_append (out, ": ");
  location_append (out, &change->old_loc);
  g_string_append (out, " -> ");
  location_append (out, &change->new_loc);
  g_string_append_printf (out, ": %s", change->what);
  return g_string_free (out, FALSE);
}

static void
change_free (CompatChange *change)
{
  g_free (change->what);
  g_free (change);
}

static void
type_pair_free (TypePair *pair)
{
  g_free (pair->in_use);
  g_free (pair->out_use);
  g_free (pair);
}

CompatLocation
compat_location (const VdsmSchemaFile *file, guint line)
{
  return (CompatLocation) { file != NULL ? file->path : NULL, line };
}

void
compat_add_change (GPtrArray *changes, CompatSeverity severity, CompatLocation old_loc,
                   CompatLocation new_loc, const char *format, ...)
{
  CompatChange *change = g_new0 (CompatChange, 1);
  va_list args;

  va_start (args, format);
  change->what = g_strdup_vprintf (format, args);
  va_end (args);
  change->severity = severity;
  change->old_loc = old_loc;
  change->new_loc = new_loc;
  g_ptr_array_add (changes, change);
}

/* The note that says which use makes a direction-dependent verdict. */
static void
append_flow_note (GString *what, const Flow *flow)
{
  if (flow->unused != NULL)
    {
      g_string_append_printf (what, " (%s: not on the wire)", flow->unused);
      return;
    }
  if ((flow->dirs & DIR_IN) && flow->in_use != NULL && (flow->dirs & DIR_OUT) && flow->out_use != NULL)
    g_string_append_printf (what, " (input: %s; output: %s)", flow->in_use, flow->out_use);
  else if ((flow->dirs & DIR_IN) && flow->in_use != NULL)
    g_string_append_printf (what, " (input: %s)", flow->in_use);
  else if ((flow->dirs & DIR_OUT) && flow->out_use != NULL)
    g_string_append_printf (what, " (output: %s)", flow->out_use);
}

/* Record a change. @flow says which of @in_sev and @out_sev apply; without
 * a flow (methods and events themselves) the two are equal. A flow with no
 * direction (a type no method or event reaches) makes it COMPATIBLE. */
static void G_GNUC_PRINTF (7, 8)
report (Compat *c, const Flow *flow, CompatSeverity in_sev, CompatSeverity out_sev,
        CompatLocation old_loc, CompatLocation new_loc, const char *format, ...)
{
  g_autoptr (GString) what = g_string_new (NULL);
  guint dirs = flow != NULL ? flow->dirs : DIR_BOTH;
  CompatSeverity severity = COMPAT_COMPATIBLE;
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (what, format, args);
  va_end (args);
  if (dirs & DIR_IN)
    severity = MAX (severity, in_sev);
  if (dirs & DIR_OUT)
    severity = MAX (severity, out_sev);
  if (flow != NULL && (flow->unused != NULL || in_sev != out_sev))
    append_flow_note (what, flow);
  compat_add_change (c->changes, severity, old_loc, new_loc, "%s", what->str);
}

/* Descriptions compared with their white space folded: a rewrapped text
 * is the same text. */
static char *
fold_space (const char *text)
{
  g_auto (GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t\n\r", -1);
  GString *out = g_string_new (NULL);

  for (char **word = words; *word != NULL; word++)
    if (**word != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", *word);
  return g_string_free (out, FALSE);
}

/* A changed description, listed only when asked (--descriptions): whether
 * the meaning changed ("the number of page faults" becoming "the average
 * number per second") is for a person to judge. */
static void
report_description (Compat *c, const char *old_text, const char *new_text,
                    CompatLocation old_loc, CompatLocation new_loc, const char *owner)
{
  g_autofree char *o = NULL;
  g_autofree char *n = NULL;

  if (!c->options->descriptions)
    return;
  o = fold_space (old_text);
  n = fold_space (new_text);
  if (strcmp (o, n) != 0)
    compat_add_change (c->changes, COMPAT_DESCRIPTION, old_loc, new_loc,
                       "%s: description changed from \"%s\" to \"%s\"", owner, o, n);
}

/* A deprecation is news for release notes; lifting one is compatible. */
static void
report_deprecation (Compat *c, const Flow *flow, const char *old_version,
                    const char *new_version, CompatLocation old_loc,
                    CompatLocation new_loc, const char *owner)
{
  if (old_version == NULL && new_version != NULL)
    report (c, flow, COMPAT_DEPRECATED, COMPAT_DEPRECATED, old_loc, new_loc,
            "%s deprecated since %s", owner, new_version);
  else if (old_version != NULL && new_version == NULL)
    report (c, flow, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, old_loc, new_loc,
            "%s no longer deprecated (was since %s)", owner, old_version);
}

/* ---- Type references ---- */

static gboolean
is_alias (const VdsmSchemaTypeRef *ref)
{
  return ref->kind == VDSM_SCHEMA_REF_NAMED && ref->type->kind == VDSM_SCHEMA_KIND_ALIAS
         && ref->type->source != NULL;
}

static gboolean
is_named (const VdsmSchemaTypeRef *ref, VdsmSchemaKind kind)
{
  return ref->kind == VDSM_SCHEMA_REF_NAMED && ref->type->kind == kind;
}

static char *
describe_type (const VdsmSchemaType *type)
{
  if (type->anonymous)
    return g_strdup_printf ("inline %s %s", vdsm_schema_kind_name (type->kind), type->key);
  return g_strdup_printf ("%s %s", vdsm_schema_kind_name (type->kind), type->key);
}

static char *
describe_ref (const VdsmSchemaTypeRef *ref)
{
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return g_strdup (vdsm_schema_primitive_name (ref->primitive));
    case VDSM_SCHEMA_REF_NAMED:
      return describe_type (ref->type);
    case VDSM_SCHEMA_REF_LIST:
      {
        g_autofree char *item = describe_ref (ref->item);

        return g_strdup_printf ("[%s]", item);
      }
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      return g_strdup ("dict");
    case VDSM_SCHEMA_REF_ANY:
    default:
      return g_strdup ("any");
    }
}

static gboolean
prim_is_number (VdsmSchemaPrimitive prim)
{
  return prim != VDSM_SCHEMA_PRIM_STRING && prim != VDSM_SCHEMA_PRIM_BOOLEAN;
}

/* The value sets of the numeric primitives, as the validator checks them:
 * int and uint take integers only; uint and ulong non-negative numbers only;
 * long and float take every number. */
static gboolean
prim_subset (VdsmSchemaPrimitive a, VdsmSchemaPrimitive b)
{
  gboolean a_int = a == VDSM_SCHEMA_PRIM_INT || a == VDSM_SCHEMA_PRIM_UINT;
  gboolean b_int = b == VDSM_SCHEMA_PRIM_INT || b == VDSM_SCHEMA_PRIM_UINT;
  gboolean a_nonneg = a == VDSM_SCHEMA_PRIM_UINT || a == VDSM_SCHEMA_PRIM_ULONG;
  gboolean b_nonneg = b == VDSM_SCHEMA_PRIM_UINT || b == VDSM_SCHEMA_PRIM_ULONG;

  if (a == b)
    return TRUE;
  if (!prim_is_number (a) || !prim_is_number (b))
    return FALSE;
  return (!b_int || a_int) && (!b_nonneg || a_nonneg);
}

static gboolean
enum_all_strings (const VdsmSchemaType *type)
{
  for (guint i = 0; i < type->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (type->values, i);

      if (json_node_get_value_type (value->typed) != G_TYPE_STRING)
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_object_like (const VdsmSchemaTypeRef *ref)
{
  return ref->kind == VDSM_SCHEMA_REF_ANY_OBJECT
         || is_named (ref, VDSM_SCHEMA_KIND_OBJECT) || is_named (ref, VDSM_SCHEMA_KIND_MAP);
}

/* Whether every value of @a is a value of @b, judged on the shapes only.
 * Two named types of one kind match when they are the same type, or, if
 * @loose, always (a renamed type: its pair is compared member by member on
 * its own). A union stands for its members, nested unions included. */
static gboolean
ref_subset (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b, gboolean loose)
{
  a = vdsm_schema_type_ref_resolve (a);
  b = vdsm_schema_type_ref_resolve (b);
  if (b->kind == VDSM_SCHEMA_REF_ANY)
    return TRUE;
  if (a->kind == VDSM_SCHEMA_REF_ANY)
    return FALSE;
  if (is_named (a, VDSM_SCHEMA_KIND_UNION) && is_named (b, VDSM_SCHEMA_KIND_UNION)
      && (loose || g_strcmp0 (a->type->key, b->type->key) == 0))
    return TRUE;
  /* No recursion bound is needed: types precede their uses
   * (docs/schema-language.md §1), so unions cannot nest in a cycle. */
  if (is_named (a, VDSM_SCHEMA_KIND_UNION))
    {
      for (guint i = 0; i < a->type->members->len; i++)
        if (!ref_subset (g_ptr_array_index (a->type->members, i), b, loose))
          return FALSE;
      return TRUE;
    }
  if (is_named (b, VDSM_SCHEMA_KIND_UNION))
    {
      for (guint i = 0; i < b->type->members->len; i++)
        if (ref_subset (a, g_ptr_array_index (b->type->members, i), loose))
          return TRUE;
      return FALSE;
    }
  if (b->kind == VDSM_SCHEMA_REF_ANY_OBJECT)
    return is_object_like (a);
  switch (a->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return b->kind == VDSM_SCHEMA_REF_PRIMITIVE && prim_subset (a->primitive, b->primitive);
    case VDSM_SCHEMA_REF_LIST:
      return b->kind == VDSM_SCHEMA_REF_LIST && ref_subset (a->item, b->item, loose);
    case VDSM_SCHEMA_REF_NAMED:
      if (a->type->kind == VDSM_SCHEMA_KIND_ENUM && b->kind == VDSM_SCHEMA_REF_PRIMITIVE
          && b->primitive == VDSM_SCHEMA_PRIM_STRING)
        return enum_all_strings (a->type);
      return b->kind == VDSM_SCHEMA_REF_NAMED && a->type->kind == b->type->kind
             && (loose || g_strcmp0 (a->type->key, b->type->key) == 0);
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_ANY:
    default:
      return FALSE;
    }
}

/* Same kind of reference, and for named types the same kind of type. */
static gboolean
same_shape (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b)
{
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == VDSM_SCHEMA_REF_NAMED)
    return a->type->kind == b->type->kind;
  if (a->kind == VDSM_SCHEMA_REF_LIST)
    return same_shape (a->item, b->item);
  return TRUE;
}

/* ---- Union members ----
 * On the wire a union nested in a union is just more members: a member
 * that became a union still containing its old type accepts more, it is
 * not a removed member (VDSM 2f7852429 turned DriveSpecCdrom into such a
 * union). So unions are compared by their leaves. */

typedef struct {
  const VdsmSchemaTypeRef *ref;   /* a member that is not a union */
  const VdsmSchemaType *via;      /* the nested union holding it, or NULL */
} UnionLeaf;

static void
collect_leaves (const VdsmSchemaType *u, const VdsmSchemaType *via, GArray *leaves)
{
  for (guint i = 0; i < u->members->len; i++)
    {
      const VdsmSchemaTypeRef *member = g_ptr_array_index (u->members, i);
      const VdsmSchemaTypeRef *resolved = vdsm_schema_type_ref_resolve (member);
      UnionLeaf leaf = { member, via };

      if (is_named (resolved, VDSM_SCHEMA_KIND_UNION))
        collect_leaves (resolved->type, resolved->type, leaves);
      else
        g_array_append_val (leaves, leaf);
    }
}

static GArray *
union_leaves (const VdsmSchemaType *u)
{
  GArray *leaves = g_array_new (FALSE, FALSE, sizeof (UnionLeaf));

  collect_leaves (u, NULL, leaves);
  return leaves;
}

static char *
describe_leaf (const UnionLeaf *leaf)
{
  g_autofree char *ref = describe_ref (leaf->ref);

  if (leaf->via == NULL)
    return g_steal_pointer (&ref);
  return g_strdup_printf ("%s (in union %s)", ref, leaf->via->key);
}

static guint
common_property_count (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b)
{
  const GPtrArray *ap = vdsm_schema_type_ref_resolve (a)->type->properties;
  const GPtrArray *bp = vdsm_schema_type_ref_resolve (b)->type->properties;
  guint count = 0;

  for (guint i = 0; ap != NULL && i < ap->len; i++)
    for (guint j = 0; bp != NULL && j < bp->len; j++)
      if (strcmp (((VdsmSchemaMember *) g_ptr_array_index (ap, i))->name,
                  ((VdsmSchemaMember *) g_ptr_array_index (bp, j))->name) == 0)
        count++;
  return count;
}

static const VdsmSchemaTypeRef *
leaf_ref (GArray *leaves, guint i)
{
  return g_array_index (leaves, UnionLeaf, i).ref;
}

static gboolean
leaf_is_object (GArray *leaves, guint i)
{
  return is_named (vdsm_schema_type_ref_resolve (leaf_ref (leaves, i)), VDSM_SCHEMA_KIND_OBJECT);
}

/* For each old leaf, the index of the new leaf it corresponds to, or -1:
 * the same type first; then, for an object, the new object sharing the
 * most property names with it (a renamed object); then the leaf at the
 * same position when it has the same shape (another renamed type). */
static int *
match_union_leaves (GArray *ol, GArray *nl)
{
  int *map = g_new (int, MAX (ol->len, 1));
  g_autofree gboolean *taken = g_new0 (gboolean, MAX (nl->len, 1));

  for (guint i = 0; i < ol->len; i++)
    {
      map[i] = -1;
      for (guint j = 0; j < nl->len && map[i] < 0; j++)
        if (!taken[j] && vdsm_schema_type_ref_equal (leaf_ref (ol, i), leaf_ref (nl, j),
                                                     VDSM_SCHEMA_SAME_KEY))
          {
            map[i] = (int) j;
            taken[j] = TRUE;
          }
    }
  for (guint i = 0; i < ol->len; i++)
    {
      int best = -1;
      guint best_count = 0;

      if (map[i] >= 0 || !leaf_is_object (ol, i))
        continue;
      for (guint j = 0; j < nl->len; j++)
        {
          guint count;

          if (taken[j] || !leaf_is_object (nl, j))
            continue;
          count = common_property_count (leaf_ref (ol, i), leaf_ref (nl, j));
          if (count > best_count)
            {
              best = (int) j;
              best_count = count;
            }
        }
      if (best >= 0)
        {
          map[i] = best;
          taken[best] = TRUE;
        }
    }
  for (guint i = 0; i < ol->len; i++)
    if (map[i] < 0 && i < nl->len && !taken[i]
        && same_shape (vdsm_schema_type_ref_resolve (leaf_ref (ol, i)),
                       vdsm_schema_type_ref_resolve (leaf_ref (nl, i))))
      {
        map[i] = (int) i;
        taken[i] = TRUE;
      }
  return map;
}

/* The leaf of @u that holds the values of @ref: the same type if there is
 * one, else the first that takes them all, else the first of its shape. */
static const VdsmSchemaTypeRef *
union_member_for (const VdsmSchemaType *u, const VdsmSchemaTypeRef *ref)
{
  g_autoptr (GArray) leaves = union_leaves (u);

  for (guint i = 0; i < leaves->len; i++)
    if (vdsm_schema_type_ref_equal (leaf_ref (leaves, i), ref, VDSM_SCHEMA_SAME_KEY))
      return leaf_ref (leaves, i);
  for (guint i = 0; i < leaves->len; i++)
    if (ref_subset (ref, leaf_ref (leaves, i), FALSE))
      return leaf_ref (leaves, i);
  for (guint i = 0; i < leaves->len; i++)
    if (ref_subset (ref, leaf_ref (leaves, i), TRUE))
      return leaf_ref (leaves, i);
  return NULL;
}

static const VdsmSchemaMember *
find_member (const GPtrArray *members, const char *name)
{
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (members, i);

      if (g_strcmp0 (member->name, name) == 0)
        return member;
    }
  return NULL;
}

/* ---- Pass 1: pair old types with new ones ---- */

static TypePair *
pair_lookup (Compat *c, const VdsmSchemaType *o, const VdsmSchemaType *n, gboolean create)
{
  g_autofree char *key = g_strdup_printf ("%p/%p", (const void *) o, (const void *) n);
  TypePair *pair = g_hash_table_lookup (c->pairs, key);

  if (pair == NULL && create)
    {
      pair = g_new0 (TypePair, 1);
      pair->o = o;
      pair->n = n;
      g_hash_table_insert (c->pairs, g_steal_pointer (&key), pair);
      g_ptr_array_add (c->pair_order, pair);
      g_hash_table_add (c->old_paired, (gpointer) o);
      g_hash_table_add (c->new_paired, (gpointer) n);
    }
  return pair;
}

/* Add @dir to the pair; TRUE when that is news, i.e. the types below it
 * must be visited again. */
static gboolean
pair_record (Compat *c, const VdsmSchemaType *o, const VdsmSchemaType *n,
             guint dir, const char *use)
{
  TypePair *pair = pair_lookup (c, o, n, TRUE);
  guint added = dir & ~pair->dirs;

  if (added == 0)
    return FALSE;
  pair->dirs |= dir;
  if ((added & DIR_IN) && pair->in_use == NULL)
    pair->in_use = g_strdup (use);
  if ((added & DIR_OUT) && pair->out_use == NULL)
    pair->out_use = g_strdup (use);
  return TRUE;
}

static void pair_refs (Compat *c, const VdsmSchemaTypeRef *o, const VdsmSchemaTypeRef *n,
                       guint dir, const char *use);

static void
pair_members (Compat *c, const GPtrArray *om, const GPtrArray *nm, guint dir, const char *use)
{
  for (guint i = 0; om != NULL && i < om->len; i++)
    {
      const VdsmSchemaMember *o = g_ptr_array_index (om, i);
      const VdsmSchemaMember *n = find_member (nm, o->name);

      if (n != NULL)
        pair_refs (c, o->type, n->type, dir, use);
    }
}

static void
pair_children (Compat *c, const VdsmSchemaType *o, const VdsmSchemaType *n,
               guint dir, const char *use)
{
  switch (o->kind)
    {
    case VDSM_SCHEMA_KIND_UNION:
      {
        g_autoptr (GArray) ol = union_leaves (o);
        g_autoptr (GArray) nl = union_leaves (n);
        g_autofree int *map = match_union_leaves (ol, nl);

        for (guint i = 0; i < ol->len; i++)
          if (map[i] >= 0)
            pair_refs (c, leaf_ref (ol, i), leaf_ref (nl, map[i]), dir, use);
      }
      pair_members (c, o->properties, n->properties, dir, use);
      break;
    case VDSM_SCHEMA_KIND_OBJECT:
      pair_members (c, o->properties, n->properties, dir, use);
      break;
    case VDSM_SCHEMA_KIND_MAP:
      pair_refs (c, o->key_type, n->key_type, dir, use);
      pair_refs (c, o->value_type, n->value_type, dir, use);
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      pair_refs (c, o->source, n->source, dir, use);
      break;
    case VDSM_SCHEMA_KIND_ENUM:
    default:
      break;
    }
}

static void
pair_refs (Compat *c, const VdsmSchemaTypeRef *o, const VdsmSchemaTypeRef *n,
           guint dir, const char *use)
{
  if (o == NULL || n == NULL)
    return;
  /* Two aliases pair up themselves (a renamed alias); otherwise an alias
   * stands for its source. */
  if (!(is_alias (o) && is_alias (n)))
    {
      for (; is_alias (o); o = o->type->source)
        g_hash_table_add (c->old_paired, o->type);
      for (; is_alias (n); n = n->type->source)
        g_hash_table_add (c->new_paired, n->type);
    }
  if (o->kind == VDSM_SCHEMA_REF_LIST && n->kind == VDSM_SCHEMA_REF_LIST)
    {
      pair_refs (c, o->item, n->item, dir, use);
      return;
    }
  if (o->kind != VDSM_SCHEMA_REF_NAMED && n->kind != VDSM_SCHEMA_REF_NAMED)
    return;
  if (same_shape (o, n))
    {
      if (pair_record (c, o->type, n->type, dir, use))
        pair_children (c, o->type, n->type, dir, use);
    }
  else if (is_named (n, VDSM_SCHEMA_KIND_UNION))
    {
      /* a value that became one member of a union */
      const VdsmSchemaTypeRef *member = union_member_for (n->type, o);

      if (member != NULL)
        pair_refs (c, o, member, dir, use);
    }
  else if (is_named (o, VDSM_SCHEMA_KIND_UNION))
    {
      const VdsmSchemaTypeRef *member = union_member_for (o->type, n);

      if (member != NULL)
        pair_refs (c, member, n, dir, use);
    }
}

static void
pair_methods_and_events (Compat *c)
{
  GPtrArray *methods = vdsm_schema_get_methods (c->old_schema);
  GPtrArray *events = vdsm_schema_get_events (c->old_schema);

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *o = g_ptr_array_index (methods, i);
      const VdsmSchemaMethod *n = vdsm_schema_lookup_method (c->new_schema, o->name);

      if (n == NULL)
        continue;
      for (guint p = 0; p < o->params->len; p++)
        {
          const VdsmSchemaMember *op = g_ptr_array_index (o->params, p);
          const VdsmSchemaMember *np = find_member (n->params, op->name);
          g_autofree char *use = g_strdup_printf ("%s param %s", o->name, op->name);

          if (np != NULL)
            pair_refs (c, op->type, np->type, DIR_IN, use);
        }
      if (o->ret != NULL && n->ret != NULL)
        {
          g_autofree char *use = g_strdup_printf ("%s return", o->name);

          pair_refs (c, o->ret, n->ret, DIR_OUT, use);
        }
    }
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *o = g_ptr_array_index (events, i);
      const VdsmSchemaEvent *n = vdsm_schema_lookup_event (c->new_schema, o->key);

      if (n == NULL)
        continue;
      for (guint p = 0; p < o->params->len; p++)
        {
          const VdsmSchemaMember *op = g_ptr_array_index (o->params, p);
          const VdsmSchemaMember *np = find_member (n->params, op->name);
          g_autofree char *use = g_strdup_printf ("event %s param %s", o->key, op->name);

          if (np != NULL)
            pair_refs (c, op->type, np->type, DIR_OUT, use);
        }
    }
}

/* The new type with @type's key, preferably from the file of the same name
 * (types are scoped per file). */
static const VdsmSchemaType *
lookup_same_key (VdsmSchema *schema, const VdsmSchemaType *type)
{
  GPtrArray *files = vdsm_schema_get_files (schema);
  g_autofree char *base = g_path_get_basename (type->file->path);

  for (guint i = 0; i < files->len; i++)
    {
      const VdsmSchemaFile *file = g_ptr_array_index (files, i);
      g_autofree char *other = g_path_get_basename (file->path);
      const VdsmSchemaType *found;

      if (strcmp (base, other) == 0
          && (found = g_hash_table_lookup (file->types_by_key, type->key)) != NULL)
        return found;
    }
  return vdsm_schema_lookup_type (schema, type->key);
}

static void mark_reachable_members (GHashTable *reached, const GPtrArray *members);

static void
mark_reachable (GHashTable *reached, const VdsmSchemaTypeRef *ref)
{
  const VdsmSchemaType *type;

  if (ref == NULL)
    return;
  if (ref->kind == VDSM_SCHEMA_REF_LIST)
    {
      mark_reachable (reached, ref->item);
      return;
    }
  if (ref->kind != VDSM_SCHEMA_REF_NAMED || !g_hash_table_add (reached, ref->type))
    return;
  type = ref->type;
  mark_reachable_members (reached, type->properties);
  mark_reachable (reached, type->source);
  mark_reachable (reached, type->key_type);
  mark_reachable (reached, type->value_type);
  for (guint i = 0; type->members != NULL && i < type->members->len; i++)
    mark_reachable (reached, g_ptr_array_index (type->members, i));
}

static void
mark_reachable_members (GHashTable *reached, const GPtrArray *members)
{
  for (guint i = 0; members != NULL && i < members->len; i++)
    mark_reachable (reached, ((VdsmSchemaMember *) g_ptr_array_index (members, i))->type);
}

/* The types a method or event of @schema reaches: the ones on the wire. */
static GHashTable *
reachable_types (VdsmSchema *schema)
{
  GHashTable *reached = g_hash_table_new (NULL, NULL);
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *events = vdsm_schema_get_events (schema);

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      mark_reachable_members (reached, method->params);
      mark_reachable (reached, method->ret);
    }
  for (guint i = 0; i < events->len; i++)
    mark_reachable_members (reached, ((VdsmSchemaEvent *) g_ptr_array_index (events, i))->params);
  return reached;
}

/* Types no method or event reaches are not on the wire: pair them by key
 * so that their changes are listed, with no direction (COMPATIBLE). The C
 * API's view judges them as declarations (compat-capi.c). */
static void
pair_unused_types (Compat *c)
{
  GPtrArray *types = vdsm_schema_get_types (c->old_schema);

  for (guint i = 0; i < types->len; i++)
    {
      const VdsmSchemaType *o = g_ptr_array_index (types, i);
      const VdsmSchemaType *n;

      if (g_hash_table_contains (c->old_paired, o))
        continue;
      n = lookup_same_key (c->new_schema, o);
      if (n != NULL && n->kind == o->kind)
        {
          TypePair *pair = pair_lookup (c, o, n, TRUE);

          pair->unused = g_hash_table_contains (c->old_reachable, o)
                         ? "the methods and events using it are gone"
                         : "no method or event uses it";
        }
    }
}

/* ---- Pass 2: compare ---- */

static void
compare_ref (Compat *c, const Flow *flow, const VdsmSchemaTypeRef *o,
             const VdsmSchemaTypeRef *n, CompatLocation ol, CompatLocation nl,
             const char *what)
{
  const VdsmSchemaTypeRef *os = vdsm_schema_type_ref_resolve (o);
  const VdsmSchemaTypeRef *ns = vdsm_schema_type_ref_resolve (n);
  g_autofree char *od = describe_ref (o);
  g_autofree char *nd = describe_ref (n);
  Polarity polarity;

  if (same_shape (os, ns))
    {
      if (os->kind == VDSM_SCHEMA_REF_LIST)
        {
          compare_ref (c, flow, os->item, ns->item, ol, nl, what);
          return;
        }
      if (os->kind == VDSM_SCHEMA_REF_PRIMITIVE && os->primitive != ns->primitive)
        {
          gboolean wider = prim_subset (os->primitive, ns->primitive);
          gboolean narrower = prim_subset (ns->primitive, os->primitive);

          polarity = wider && narrower ? POLARITY_NEUTRAL
                     : wider ? POLARITY_WIDEN : narrower ? POLARITY_NARROW : POLARITY_CHANGE;
        }
      else if (is_alias (o) != is_alias (n))
        polarity = POLARITY_NEUTRAL;
      else
        return;   /* named types of one kind: compared as their pair */
    }
  else
    {
      gboolean wider = ref_subset (os, ns, FALSE);
      gboolean narrower = ref_subset (ns, os, FALSE);

      polarity = wider && narrower ? POLARITY_NEUTRAL
                 : wider ? POLARITY_WIDEN : narrower ? POLARITY_NARROW : POLARITY_CHANGE;
    }
  report (c, flow, polarity_in[polarity], polarity_out[polarity], ol, nl,
          "%s: type changed from %s to %s%s", what, od, nd, polarity_word[polarity]);
}

/* What leaving a member out means, in one spelling per meaning: null,
 * 'no-default' and 'needs updating' all mean "no value", and VDSM hands the
 * string defaults '()' and '[]' (or '{}') to its code as empty containers. */
static char *
describe_default (const VdsmSchemaMember *member)
{
  const char *text;

  if (member->default_kind != VDSM_SCHEMA_DEFAULT_VALUE
      || JSON_NODE_HOLDS_NULL (member->default_value))
    return g_strdup ("none");
  text = JSON_NODE_HOLDS_VALUE (member->default_value)
         && json_node_get_value_type (member->default_value) == G_TYPE_STRING
         ? json_node_get_string (member->default_value) : NULL;
  if (g_strcmp0 (text, "()") == 0 || g_strcmp0 (text, "[]") == 0)
    return g_strdup ("[]");
  if (g_strcmp0 (text, "{}") == 0)
    return g_strdup ("{}");
  return json_to_string (member->default_value, FALSE);
}

/* Params of a method or event, or properties of an object or union. The
 * flow's direction decides: a new required input member breaks old
 * clients, a new output member does not; an output member that became
 * optional breaks clients that rely on it. */
static void
compare_members (Compat *c, const Flow *flow, const GPtrArray *om, const GPtrArray *nm,
                 const VdsmSchemaFile *ofile, const VdsmSchemaFile *nfile,
                 CompatLocation owner_ol, CompatLocation owner_nl,
                 const char *owner, const char *noun)
{
  for (guint i = 0; om != NULL && i < om->len; i++)
    {
      const VdsmSchemaMember *o = g_ptr_array_index (om, i);
      const VdsmSchemaMember *n = find_member (nm, o->name);
      CompatLocation ol = compat_location (ofile, o->line);
      CompatLocation nl;
      gboolean o_opt, n_opt;
      g_autofree char *what = NULL;

      o_opt = o->default_kind != VDSM_SCHEMA_DEFAULT_NONE;
      if (n == NULL)
        {
          /* Clients sending it are refused; clients reading an optional
           * member already cope with its absence, but may have relied on a
           * server that always sent it. */
          report (c, flow, COMPAT_BREAKING, o_opt ? COMPAT_RISKY : COMPAT_BREAKING,
                  ol, owner_nl, "%s: %s %s %s removed", owner,
                  o_opt ? "optional" : "required", noun, o->name);
          continue;
        }
      nl = compat_location (nfile, n->line);
      n_opt = n->default_kind != VDSM_SCHEMA_DEFAULT_NONE;
      if (!o_opt && n_opt)
        report (c, flow, COMPAT_COMPATIBLE, COMPAT_BREAKING, ol, nl,
                "%s: %s %s became optional", owner, noun, o->name);
      else if (o_opt && !n_opt)
        report (c, flow, COMPAT_BREAKING, COMPAT_COMPATIBLE, ol, nl,
                "%s: %s %s became required", owner, noun, o->name);
      else if (o_opt)
        {
          g_autofree char *od = describe_default (o);
          g_autofree char *nd = describe_default (n);

          if (strcmp (od, nd) != 0)
            report (c, flow, COMPAT_RISKY, COMPAT_RISKY, ol, nl,
                    "%s: default of %s %s changed from %s to %s, so leaving it "
                    "out means something else", owner, noun, o->name, od, nd);
        }
      what = g_strdup_printf ("%s: %s %s", owner, noun, o->name);
      report_deprecation (c, flow, o->deprecated, n->deprecated, ol, nl, what);
      report_description (c, o->description, n->description, ol, nl, what);
      compare_ref (c, flow, o->type, n->type, ol, nl, what);
    }
  for (guint i = 0; nm != NULL && i < nm->len; i++)
    {
      const VdsmSchemaMember *n = g_ptr_array_index (nm, i);
      gboolean n_opt = n->default_kind != VDSM_SCHEMA_DEFAULT_NONE;

      if (find_member (om, n->name) != NULL)
        continue;
      report (c, flow, n_opt ? COMPAT_COMPATIBLE : COMPAT_BREAKING, COMPAT_COMPATIBLE,
              owner_ol, compat_location (nfile, n->line),
              "%s: %s %s %s added", owner, n_opt ? "optional" : "required", noun, n->name);
    }
}

/* JSON-RPC also takes params as an array in schema order. */
static void
compare_param_positions (Compat *c, const VdsmSchemaMethod *o, const VdsmSchemaMethod *n)
{
  g_autoptr (GString) moved = g_string_new (NULL);

  for (guint i = 0; i < o->params->len; i++)
    {
      const VdsmSchemaMember *op = g_ptr_array_index (o->params, i);

      for (guint j = 0; j < n->params->len; j++)
        {
          const VdsmSchemaMember *np = g_ptr_array_index (n->params, j);

          if (strcmp (op->name, np->name) == 0 && i != j)
            g_string_append_printf (moved, "%s%s %u->%u", moved->len > 0 ? ", " : "",
                                    op->name, i + 1, j + 1);
        }
    }
  if (moved->len > 0)
    report (c, NULL, COMPAT_RISKY, COMPAT_RISKY, compat_location (o->file, o->line),
            compat_location (n->file, n->line),
            "method %s: params moved (%s); callers that pass params as an array "
            "send them to the wrong place", o->name, moved->str);
}

static void
compare_methods (Compat *c)
{
  GPtrArray *methods = vdsm_schema_get_methods (c->old_schema);
  GPtrArray *added = vdsm_schema_get_methods (c->new_schema);
  const Flow input = { DIR_IN, NULL, NULL, NULL };
  const Flow output = { DIR_OUT, NULL, NULL, NULL };

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *o = g_ptr_array_index (methods, i);
      const VdsmSchemaMethod *n = vdsm_schema_lookup_method (c->new_schema, o->name);
      CompatLocation ol = compat_location (o->file, o->line), nl;
      g_autofree char *owner = g_strdup_printf ("method %s", o->name);

      if (n == NULL)
        {
          report (c, NULL, COMPAT_BREAKING, COMPAT_BREAKING, ol, nowhere,
                  "method %s removed", o->name);
          continue;
        }
      nl = compat_location (n->file, n->line);
      report_deprecation (c, NULL, o->deprecated, n->deprecated, ol, nl, owner);
      report_description (c, o->description, n->description, ol, nl, owner);
      compare_members (c, &input, o->params, n->params, o->file, n->file, ol, nl, owner, "param");
      compare_param_positions (c, o, n);
      if (o->ret != NULL && n->ret != NULL)
        {
          g_autofree char *what = g_strdup_printf ("method %s: return", o->name);
          CompatLocation rol = compat_location (o->file, o->ret->line);
          CompatLocation rnl = compat_location (n->file, n->ret->line);

          report_description (c, o->ret_description, n->ret_description, rol, rnl, what);
          compare_ref (c, &output, o->ret, n->ret, rol, rnl, what);
        }
      else if (o->ret != NULL)
        report (c, NULL, COMPAT_BREAKING, COMPAT_BREAKING, compat_location (o->file, o->ret->line), nl,
                "method %s: return removed; it now answers true", o->name);
      else if (n->ret != NULL)
        report (c, NULL, COMPAT_RISKY, COMPAT_RISKY, ol, compat_location (n->file, n->ret->line),
                "method %s: return added; old clients expect true", o->name);
    }
  for (guint i = 0; i < added->len; i++)
    {
      const VdsmSchemaMethod *n = g_ptr_array_index (added, i);

      if (vdsm_schema_lookup_method (c->old_schema, n->name) == NULL)
        report (c, NULL, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, nowhere,
                compat_location (n->file, n->line), "method %s added", n->name);
    }
}

static void
compare_events (Compat *c)
{
  GPtrArray *events = vdsm_schema_get_events (c->old_schema);
  GPtrArray *added = vdsm_schema_get_events (c->new_schema);
  const Flow output = { DIR_OUT, NULL, NULL, NULL };

  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *o = g_ptr_array_index (events, i);
      const VdsmSchemaEvent *n = vdsm_schema_lookup_event (c->new_schema, o->key);
      CompatLocation ol = compat_location (o->file, o->line);
      g_autofree char *owner = g_strdup_printf ("event %s", o->key);

      if (n == NULL)
        {
          report (c, NULL, COMPAT_BREAKING, COMPAT_BREAKING, ol, nowhere,
                  "event %s removed", o->key);
          continue;
        }
      report_description (c, o->description, n->description, ol,
                          compat_location (n->file, n->line), owner);
      compare_members (c, &output, o->params, n->params, o->file, n->file, ol,
                       compat_location (n->file, n->line), owner, "param");
    }
  for (guint i = 0; i < added->len; i++)
    {
      const VdsmSchemaEvent *n = g_ptr_array_index (added, i);

      if (vdsm_schema_lookup_event (c->old_schema, n->key) == NULL)
        report (c, NULL, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, nowhere,
                compat_location (n->file, n->line), "event %s added", n->key);
    }
}

static GHashTable *
enum_value_table (const VdsmSchemaType *type)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < type->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (type->values, i);

      g_hash_table_insert (table, value->text, (gpointer) value);
    }
  return table;
}

static char *
quoted_values (const VdsmSchemaType *type)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < type->values->len; i++)
    g_string_append_printf (out, "%s'%s'", i > 0 ? ", " : "",
                            ((VdsmSchemaEnumValue *) g_ptr_array_index (type->values, i))->text);
  return g_string_free (out, FALSE);
}

/* An enum whose values were all replaced shares no value with its old
 * self: old clients can read none of what the server sends, and the
 * server takes none of what they send (VDSM 3b0e8250b turned
 * AutoNumaBalancingStatus DISABLE/ENABLE/UNKNOWN into 0/1/2). */
static gboolean
report_enum_replaced (Compat *c, const Flow *flow, const VdsmSchemaType *o,
                      const VdsmSchemaType *n, GHashTable *new_values, const char *owner)
{
  g_autofree char *ov = NULL;
  g_autofree char *nv = NULL;

  if (o->values->len == 0 || n->values->len == 0)
    return FALSE;
  for (guint i = 0; i < o->values->len; i++)
    if (g_hash_table_contains (new_values,
                               ((VdsmSchemaEnumValue *) g_ptr_array_index (o->values, i))->text))
      return FALSE;
  ov = quoted_values (o);
  nv = quoted_values (n);
  report (c, flow, COMPAT_BREAKING, COMPAT_BREAKING, compat_location (o->file, o->line),
          compat_location (n->file, n->line),
          "%s: every value replaced (%s became %s); no old value is valid any more",
          owner, ov, nv);
  return TRUE;
}

static void
compare_enum_values (Compat *c, const Flow *flow, const VdsmSchemaType *o,
                     const VdsmSchemaType *n, const char *owner)
{
  g_autoptr (GHashTable) old_values = enum_value_table (o);
  g_autoptr (GHashTable) new_values = enum_value_table (n);

  if (report_enum_replaced (c, flow, o, n, new_values, owner))
    return;
  for (guint i = 0; i < o->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (o->values, i);
      const VdsmSchemaEnumValue *same = g_hash_table_lookup (new_values, value->text);
      CompatLocation ol = compat_location (o->file, value->line);

      if (same == NULL)
        report (c, flow, COMPAT_BREAKING, COMPAT_COMPATIBLE, ol,
                compat_location (n->file, n->line), "%s: value '%s' removed", owner, value->text);
      else
        {
          g_autofree char *what = g_strdup_printf ("%s: value '%s'", owner, value->text);

          report_description (c, value->description, same->description, ol,
                              compat_location (n->file, same->line), what);
        }
    }
  for (guint i = 0; i < n->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (n->values, i);

      if (!g_hash_table_contains (old_values, value->text))
        report (c, flow, COMPAT_COMPATIBLE, COMPAT_RISKY, compat_location (o->file, o->line),
                compat_location (n->file, value->line),
                "%s: value '%s' added%s", owner, value->text,
                (flow->dirs & DIR_OUT) ? "; old clients may not know it" : "");
    }
}

static void
compare_union_members (Compat *c, const Flow *flow, const VdsmSchemaType *o,
                       const VdsmSchemaType *n, const char *owner)
{
  g_autoptr (GArray) ol = union_leaves (o);
  g_autoptr (GArray) nl = union_leaves (n);
  g_autofree int *map = match_union_leaves (ol, nl);
  g_autofree gboolean *matched = g_new0 (gboolean, MAX (nl->len, 1));

  for (guint i = 0; i < ol->len; i++)
    {
      const VdsmSchemaTypeRef *om = leaf_ref (ol, i);
      g_autofree char *od = describe_leaf (&g_array_index (ol, UnionLeaf, i));

      if (map[i] < 0)
        {
          report (c, flow, COMPAT_BREAKING, COMPAT_COMPATIBLE, compat_location (o->file, om->line),
                  compat_location (n->file, n->line), "%s: member %s removed (narrowed)", owner, od);
        }
      else
        {
          const VdsmSchemaTypeRef *nm = leaf_ref (nl, map[i]);
          g_autofree char *what = g_strdup_printf ("%s: member %u", owner, i + 1);

          matched[map[i]] = TRUE;
          compare_ref (c, flow, om, nm, compat_location (o->file, om->line),
                       compat_location (n->file, nm->line), what);
        }
    }
  for (guint j = 0; j < nl->len; j++)
    {
      const VdsmSchemaTypeRef *nm = leaf_ref (nl, j);
      g_autofree char *nd = NULL;

      if (matched[j])
        continue;
      nd = describe_leaf (&g_array_index (nl, UnionLeaf, j));
      report (c, flow, COMPAT_COMPATIBLE, COMPAT_RISKY, compat_location (o->file, o->line),
              compat_location (n->file, nm->line), "%s: member %s added (widened)%s", owner, nd,
              (flow->dirs & DIR_OUT) ? "; old clients may not read it" : "");
    }
}

static void
compare_pair (Compat *c, const TypePair *pair)
{
  const VdsmSchemaType *o = pair->o, *n = pair->n;
  const Flow flow = { pair->dirs, pair->in_use, pair->out_use, pair->unused };
  CompatLocation ol = compat_location (o->file, o->line), nl = compat_location (n->file, n->line);
  g_autofree char *owner = describe_type (o);

  if (strcmp (o->key, n->key) != 0 && !(o->anonymous && n->anonymous))
    {
      g_autofree char *nd = describe_type (n);

      if (vdsm_schema_lookup_type (c->new_schema, o->key) == NULL)
        report (c, &flow, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, ol, nl,
                "%s renamed to %s", owner, n->key);
      else
        report (c, &flow, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, ol, nl,
                "%s replaced by %s", owner, nd);
    }
  report_deprecation (c, &flow, o->deprecated, n->deprecated, ol, nl, owner);
  report_description (c, o->description, n->description, ol, nl, owner);
  switch (o->kind)
    {
    case VDSM_SCHEMA_KIND_OBJECT:
      compare_members (c, &flow, o->properties, n->properties, o->file, n->file,
                       ol, nl, owner, "property");
      if (o->any_string != n->any_string)
        report (c, &flow, o->any_string ? COMPAT_BREAKING : COMPAT_COMPATIBLE,
                COMPAT_COMPATIBLE, ol, nl, "%s: %s arbitrary extra keys", owner,
                o->any_string ? "no longer takes" : "now takes");
      break;
    case VDSM_SCHEMA_KIND_UNION:
      compare_members (c, &flow, o->properties, n->properties, o->file, n->file,
                       ol, nl, owner, "common property");
      compare_union_members (c, &flow, o, n, owner);
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      compare_enum_values (c, &flow, o, n, owner);
      break;
    case VDSM_SCHEMA_KIND_MAP:
      {
        g_autofree char *key_what = g_strdup_printf ("%s: key", owner);
        g_autofree char *value_what = g_strdup_printf ("%s: value", owner);

        compare_ref (c, &flow, o->key_type, n->key_type, ol, nl, key_what);
        compare_ref (c, &flow, o->value_type, n->value_type, ol, nl, value_what);
      }
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      {
        g_autofree char *what = g_strdup_printf ("%s: source", owner);

        compare_ref (c, &flow, o->source, n->source, ol, nl, what);
      }
      break;
    default:
      break;
    }
}

static void
compare_types (Compat *c)
{
  GPtrArray *old_types = vdsm_schema_get_types (c->old_schema);
  GPtrArray *new_types = vdsm_schema_get_types (c->new_schema);

  for (guint i = 0; i < c->pair_order->len; i++)
    compare_pair (c, g_ptr_array_index (c->pair_order, i));
  for (guint i = 0; i < old_types->len; i++)
    {
      const VdsmSchemaType *o = g_ptr_array_index (old_types, i);
      const VdsmSchemaType *n;
      const char *note;
      g_autofree char *od = NULL;

      if (g_hash_table_contains (c->old_paired, o))
        continue;
      od = describe_type (o);
      n = lookup_same_key (c->new_schema, o);
      note = g_hash_table_contains (c->old_reachable, o)
             ? "on the wire, judged where it was used" : "no method or event used it: not on the wire";
      if (n == NULL)
        report (c, NULL, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, compat_location (o->file, o->line),
                nowhere, "%s removed (%s)", od, note);
      else
        report (c, NULL, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, compat_location (o->file, o->line),
                compat_location (n->file, n->line), "%s changed kind to %s (%s)", od,
                vdsm_schema_kind_name (n->kind), note);
    }
  for (guint i = 0; i < new_types->len; i++)
    {
      const VdsmSchemaType *n = g_ptr_array_index (new_types, i);
      g_autofree char *nd = NULL;

      if (g_hash_table_contains (c->new_paired, n)
          || vdsm_schema_lookup_type (c->old_schema, n->key) != NULL)
        continue;
      nd = describe_type (n);
      report (c, NULL, COMPAT_COMPATIBLE, COMPAT_COMPATIBLE, nowhere,
              compat_location (n->file, n->line), "%s added", nd);
    }
}

/**
 * compat_compare:
 * @old_schema: the released schema
 * @new_schema: the changed one
 * @options: the view, and whether to list changed descriptions
 *
 * Returns: (transfer full) (element-type CompatChange): every change, the
 *   gravest first.
 */
GPtrArray *
compat_compare (VdsmSchema *old_schema, VdsmSchema *new_schema, const CompatOptions *options)
{
  Compat c = {
    .old_schema = old_schema,
    .new_schema = new_schema,
    .options = options,
    .changes = g_ptr_array_new (),
    .pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) type_pair_free),
    .pair_order = g_ptr_array_new (),
    .old_paired = g_hash_table_new (NULL, NULL),
    .new_paired = g_hash_table_new (NULL, NULL),
    .old_reachable = reachable_types (old_schema),
  };
  GPtrArray *sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

  pair_methods_and_events (&c);
  pair_unused_types (&c);
  compare_methods (&c);
  compare_events (&c);
  compare_types (&c);
  if (options->view == COMPAT_VIEW_API)
    compat_capi_compare (old_schema, new_schema, c.changes);

  for (int severity = COMPAT_BREAKING; severity >= COMPAT_DESCRIPTION; severity--)
    for (guint i = 0; i < c.changes->len; i++)
      {
        CompatChange *change = g_ptr_array_index (c.changes, i);

        if ((int) change->severity == severity)
          g_ptr_array_add (sorted, change);
      }
  g_ptr_array_unref (c.changes);
  g_ptr_array_unref (c.pair_order);
  g_hash_table_unref (c.pairs);
  g_hash_table_unref (c.old_paired);
  g_hash_table_unref (c.new_paired);
  g_hash_table_unref (c.old_reachable);
  return sorted;
}
