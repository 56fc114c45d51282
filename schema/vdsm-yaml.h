/* vdsm-yaml.h: a small YAML 1.1 document tree built from libyaml events,
 * with line marks, typed plain scalars and unexpanded aliases.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VDSM_YAML_SCALAR,
  VDSM_YAML_SEQUENCE,
  VDSM_YAML_MAPPING,
  VDSM_YAML_ALIAS,
} VdsmYamlKind;

/* How YAML 1.1 implicit typing reads a scalar; quoted scalars are strings. */
typedef enum {
  VDSM_YAML_NULL,
  VDSM_YAML_BOOL,
  VDSM_YAML_INT,
  VDSM_YAML_FLOAT,
  VDSM_YAML_STR,
} VdsmYamlScalarType;

typedef struct _VdsmYamlNode VdsmYamlNode;

typedef struct {
  VdsmYamlNode *key;
  VdsmYamlNode *value;
} VdsmYamlPair;

struct _VdsmYamlNode {
  VdsmYamlKind kind;
  guint line;                   /* 1-based */
  char *anchor;                 /* anchor defined on this node, or NULL */

  /* SCALAR */
  char *text;                   /* the scalar as written (after folding) */
  VdsmYamlScalarType stype;
  gboolean bval;
  gint64 ival;
  double fval;

  /* SEQUENCE: VdsmYamlNode*; MAPPING: VdsmYamlPair* (duplicate keys merged,
   * the first position keeps the last value, as PyYAML's dict does) */
  GPtrArray *items;

  /* ALIAS: the anchored node it names (never itself an alias) */
  VdsmYamlNode *target;
};

/* A key that occurred twice in one mapping. */
typedef struct {
  VdsmYamlNode *mapping;
  char *key;
  guint first_line;
  guint line;
} VdsmYamlDuplicate;

typedef struct {
  VdsmYamlNode *root;
  GPtrArray *nodes;             /* owns every node */
  GPtrArray *duplicates;        /* VdsmYamlDuplicate* */
  guint n_anchors;
  guint n_aliases;
} VdsmYamlDocument;

/* Parse one YAML document. On failure returns NULL, sets @error_line to the
 * 1-based line of the problem and @error to a message without location. */
VdsmYamlDocument *vdsm_yaml_parse (const char *data, gsize len,
                                   guint *error_line, GError **error);
void vdsm_yaml_document_free (VdsmYamlDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmYamlDocument, vdsm_yaml_document_free)

/* Follow an alias to its anchored node; other nodes are returned as is. */
VdsmYamlNode *vdsm_yaml_deref (VdsmYamlNode *node);
/* The value of @key in mapping @map (aliases not followed), or NULL. */
VdsmYamlNode *vdsm_yaml_lookup (VdsmYamlNode *map, const char *key);
/* The pair whose key is @key, or NULL. */
VdsmYamlPair *vdsm_yaml_lookup_pair (VdsmYamlNode *map, const char *key);
gboolean vdsm_yaml_is_scalar (VdsmYamlNode *node, VdsmYamlScalarType stype);
/* TRUE when @node is a string scalar equal to @text. */
gboolean vdsm_yaml_is_string (VdsmYamlNode *node, const char *text);

G_END_DECLS
