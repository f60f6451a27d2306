"""The Discord side: slash commands, cards and their buttons, previews, admin, languages.

Cogs hold no SQL and no image or API rules: they call the core through `bot.core` (the
composition root) and render what it returns in the user's language.

Layers, bottom to top; a module imports only its own package and those below it, TYPE_CHECKING
imports included (tests/unit/test_import_rules.py checks, with the rest of the house):

    i18n < shared < cards < commands < preview, admin

- i18n: the catalogues and the one-sentence errors;
- shared: the gate before paid work, moving pictures, who may see what, the persistent buttons
  and the actions registry they run;
- cards: job and result cards, their delivery, what their buttons do;
- commands: `/exterior` and starting a job;
- preview, admin: private previews and the studio; `/exterior-admin`.

Cogs never reach one another directly (no `get_cog`): each offers its handlers by name on
`bot.actions` (cogs/shared/actions.py), which a lower layer runs without importing the cog.
"""
