"""Slack: mentorbot as a slack-bolt app.

render.py       neutral cards -> Block Kit (pure; text when a card does not fit)
outbound.py     SlackPort: the outbound port on slack_sdk's AsyncWebClient
inbound.py      Slack payloads -> neutral Inbound events (pure)
app.py          the bolt AsyncApp: ack at once, run the turn after, reply
http.py         POST /slack/events on the shared aiohttp application
socket_mode.py  the same app over Socket Mode (slack.app_token)
home.py         the Home tab from the core's `home` card
manifest.py     `mentorbot slack-manifest`
"""
