"""Slack: mentorbot as a slack-bolt app.

render.py       neutral cards -> Block Kit (pure; text when a card does not fit)
outbound.py     SlackPort: the outbound port on slack_sdk's AsyncWebClient
answers.py      what Slack's answers mean: final errors, 429 pauses, the ts, channel spacing
response_url.py a command's or a click's response_url as the core's answer-in-place handle
inbound.py      Slack payloads -> neutral Inbound events (pure)
app.py          the bolt AsyncApp: ack at once, run the turn after, reply
http.py         POST /slack/events on the shared aiohttp application
socket_mode.py  the same app over Socket Mode (slack.app_token)
home.py         the Home tab from the core's `home` card
manifest.py     `mentorbot slack-manifest`
"""
