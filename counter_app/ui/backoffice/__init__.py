"""The back office: work orders, card workbench, SMS outbox, shifts, success board, audit,
users — the parts of the program where supervisors and technicians close the loop.

`window.BackOfficeWindow(ctx, user)` shows one tab per area the user's role may use;
`context.BackOfficeContext` is what the tabs are given.
"""
