"""Microsoft Teams, through the Bot Framework SDK for Python (botbuilder).

    render.py       neutral cards -> Adaptive Cards 1.5 (pure; text fallback)
    inbound.py      activities -> bot.messages.Inbound; conversation references
    references.py   references stored on a person's Teams identity
    bot_handler.py  the ActivityHandler: core.handle, replies, answered cards
    outbound.py     TeamsPort: proactive sends, 1:1 chats, updates, retries
    limits.py       Teams' per-conversation and per-tenant send windows
    http.py         POST /api/messages on the shared aiohttp app
    package.py      `mentorbot teams-package`: the app zip for Teams
    icons.py        the app's icons: drawn, or read and checked (PNG)

Every botbuilder / botframework import lives in this folder: the SDK is past
end of support, and moving to the Microsoft 365 Agents SDK should touch
nothing else. What the rest of mentorbot sees is `mount(app, runtime)` and a
`TeamsPort` registered with `runtime.delivery`.
"""
