/* vdsm-json-choices.c: the union members a validator chose, for the
 * generated readers of the values it judged (see vdsm-json.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-json.h"

#include <string.h>

/* One value is checked against two unions only when one is a member of the
 * other, so a value has one or two choices: a short chain. */
typedef struct _Choice Choice;
struct _Choice {
  const char *union_key;
  guint member;
  Choice *next;
};

struct _VdsmJsonUnionChoices {
  GHashTable *by_value;             /* JsonNode* -> Choice* (chain, owned) */
};

/* The choices of this thread. A plain thread-local, not a GPrivate: that
 * allocates its key once and never frees it, a leak when this code lives in
 * a module that is unloaded (the reference types of tests/reference). */
static _Thread_local VdsmJsonUnionChoices *current;

static void
choice_chain_free (gpointer data)
{
  Choice *choice = data;

  while (choice != NULL)
    {
      Choice *next = choice->next;

      g_free (choice);
      choice = next;
    }
}

VdsmJsonUnionChoices *
vdsm_json_union_choices_new (void)
{
  VdsmJsonUnionChoices *choices = g_new (VdsmJsonUnionChoices, 1);

  choices->by_value = g_hash_table_new_full (NULL, NULL, NULL, choice_chain_free);
  return choices;
}

void
vdsm_json_union_choices_free (VdsmJsonUnionChoices *choices)
{
  g_hash_table_unref (choices->by_value);
  g_free (choices);
}

static Choice *
find (Choice *chain, const char *union_key)
{
  for (; chain != NULL; chain = chain->next)
    if (strcmp (chain->union_key, union_key) == 0)
      return chain;
  return NULL;
}

void
vdsm_json_union_choices_add (VdsmJsonUnionChoices *choices, JsonNode *value,
                             const char *union_key, guint member)
{
  Choice *chain = g_hash_table_lookup (choices->by_value, value);
  Choice *choice = find (chain, union_key);

  if (choice == NULL)
    {
      choice = g_new (Choice, 1);
      choice->union_key = union_key;
      choice->next = chain;
      /* The chain goes on as choice->next: not freed by the insert. */
      g_hash_table_steal (choices->by_value, value);
      g_hash_table_insert (choices->by_value, value, choice);
    }
  choice->member = member;
}

VdsmJsonUnionChoices *
vdsm_json_union_choices_use (VdsmJsonUnionChoices *choices)
{
  VdsmJsonUnionChoices *previous = current;

  current = choices;
  return previous;
}

int
vdsm_json_union_choice (JsonNode *value, const char *union_key)
{
  Choice *choice;

  if (current == NULL || value == NULL)
    return -1;
  choice = find (g_hash_table_lookup (current->by_value, value), union_key);
  return choice != NULL ? (int) choice->member : -1;
}
