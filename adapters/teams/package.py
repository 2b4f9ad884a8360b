"""`mentorbot teams-package`: the Teams app package a tenant admin uploads.

    mentorbot teams-package --app-id 00000000-0000-0000-0000-000000000000 \\
        --url https://mentor.example.se --version 1.0.1 \\
        --privacy-url https://example.se/integritet --terms-url https://example.se/villkor \\
        [--developer "Täby kommun"] [--website-url URL] \\
        [--icon-color color.png] [--icon-outline outline.png] \\
        [--locale sv] [--out mentorbot-teams.zip]

The zip holds `manifest.json` (Teams app manifest v1.17: a bot in personal,
team and group chat scopes with its command lists) in `--locale`, a language
file with the other language (`localizationInfo`: Teams shows Swedish or
English by the user's own setting), and the icons: `color.png` (192x192) and
`outline.png` (32x32, white on transparent), drawn here unless given.

Every upload that changes the package needs a higher `--version` (Teams
refuses to replace an app with the same or a lower version).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from adapters.teams.icons import (
    ACCENT,
    COLOR_SIZE,
    OUTLINE_SIZE,
    IconError,
    checked_icon,
    color_icon,
    outline_icon,
)
from bot.i18n import render

MANIFEST_VERSION = "1.17"
SCHEMA_URL = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.Localization.schema.json"
LOCALES = ("sv", "en")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$")
DEVELOPER_MAX = 32

# What Teams suggests when someone types in each scope (at most 10 per list).
COMMANDS = {
    ("personal",): ("help", "status", "language", "pause", "resume", "leave"),
    ("team",): ("help", "channel", "status", "participants", "program show"),
    ("groupChat",): ("help", "status"),
}


class PackageError(Exception):
    """One line saying which argument was wrong and what would be right."""


@dataclass(frozen=True)
class PackageOptions:
    app_id: str
    url: str
    version: str
    privacy_url: str
    terms_url: str
    developer: str | None = None  # default: the template teams/package/developer
    website_url: str | None = None  # default: url
    locale: str = "sv"


def _https(option: str, url: str, example: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise PackageError(f"{option}: {url!r} must be an https:// address, e.g. {example}")
    return url


def validate(options: PackageOptions) -> None:
    if not _GUID.match(options.app_id):
        raise PackageError(
            f"--app-id: {options.app_id!r} is not a GUID; use the Microsoft App ID of the Azure bot, "
            "e.g. 0a1b2c3d-1111-2222-3333-444455556666"
        )
    _https("--url", options.url, "https://mentor.example.se (the public address of the server)")
    if not _VERSION.match(options.version):
        raise PackageError(
            f"--version: {options.version!r} is not MAJOR.MINOR.PATCH; e.g. 1.0.1, higher than the package "
            "already uploaded"
        )
    _https("--privacy-url", options.privacy_url, "https://www.example.se/mentorprogram/integritet")
    _https("--terms-url", options.terms_url, "https://www.example.se/mentorprogram/villkor")
    if options.website_url is not None:
        _https("--website-url", options.website_url, "https://www.example.se/mentorprogram")
    if options.developer is not None and not 0 < len(options.developer.strip()) <= DEVELOPER_MAX:
        raise PackageError(
            f'--developer: {options.developer!r} must be 1-{DEVELOPER_MAX} characters, e.g. "Täby kommun"'
        )
    if options.locale not in LOCALES:
        raise PackageError(f"--locale: expected one of {', '.join(LOCALES)}, got {options.locale!r}")


def _texts(locale: str) -> dict[str, str]:
    """The manifest's translatable strings in `locale`, keyed as in a Teams language file."""

    def t(name: str) -> str:
        return render(locale, f"teams/package/{name}")

    texts = {
        "name.short": t("name_short")[:30],
        "name.full": t("name_full")[:100],
        "description.short": t("description_short")[:80],
        "description.full": t("description_full")[:4000],
    }
    for i, names in enumerate(COMMANDS.values()):
        for j, name in enumerate(names):
            texts[f"bots[0].commandLists[{i}].commands[{j}].description"] = t("command_" + name.replace(" ", "_"))[:128]
    return texts


def manifest(options: PackageOptions) -> dict:
    """The Teams app manifest for the bot registered as `options.app_id`."""
    validate(options)
    base = options.url.rstrip("/")
    texts = _texts(options.locale)
    others = [lang for lang in LOCALES if lang != options.locale]
    developer = options.developer.strip() if options.developer else render(options.locale, "teams/package/developer")
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": options.version,
        "id": options.app_id,
        "developer": {
            "name": developer[:DEVELOPER_MAX],
            "websiteUrl": options.website_url or base,
            "privacyUrl": options.privacy_url,
            "termsOfUseUrl": options.terms_url,
        },
        "localizationInfo": {
            "defaultLanguageTag": options.locale,
            "additionalLanguages": [{"languageTag": lang, "file": f"{lang}.json"} for lang in others],
        },
        "name": {"short": texts["name.short"], "full": texts["name.full"]},
        "description": {"short": texts["description.short"], "full": texts["description.full"]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": options.app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": list(scopes),
                        "commands": [
                            {
                                "title": name,
                                "description": texts[f"bots[0].commandLists[{i}].commands[{j}].description"],
                            }
                            for j, name in enumerate(names)
                        ],
                    }
                    for i, (scopes, names) in enumerate(COMMANDS.items())
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlparse(options.url).hostname],
    }


def language_file(locale: str) -> dict:
    """A Teams language file: the manifest's strings in `locale`."""
    return {"$schema": LOCALIZATION_SCHEMA_URL, **_texts(locale)}


def build_package(
    options: PackageOptions, out: Path, *, icon_color: Path | None = None, icon_outline: Path | None = None
) -> Path:
    """Check everything first, then write the zip (nothing is written on a mistake)."""
    data = manifest(options)
    color = checked_icon(icon_color, "--icon-color", size=COLOR_SIZE, outline=False) if icon_color else color_icon()
    outline = (
        checked_icon(icon_outline, "--icon-outline", size=OUTLINE_SIZE, outline=True)
        if icon_outline
        else outline_icon()
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        for entry in data["localizationInfo"]["additionalLanguages"]:
            zf.writestr(entry["file"], json.dumps(language_file(entry["languageTag"]), ensure_ascii=False, indent=2))
        zf.writestr("color.png", color)
        zf.writestr("outline.png", outline)
    return out


# ---------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mentorbot teams-package",
        description="Write the Teams app package (manifest.json, a language file and icons in a zip) "
        "for a Teams admin to upload.",
    )
    parser.add_argument("--app-id", required=True, help="the Microsoft App ID of the Azure bot registration (a GUID)")
    parser.add_argument("--url", required=True, help="the public https:// address the server answers on")
    parser.add_argument(
        "--version",
        required=True,
        metavar="X.Y.Z",
        help="the app's version; raise it for every upload that changes the package",
    )
    parser.add_argument("--privacy-url", required=True, help="https:// page of your privacy notice for the program")
    parser.add_argument("--terms-url", required=True, help="https:// page of the terms of use")
    parser.add_argument(
        "--developer", help=f"who publishes the app, at most {DEVELOPER_MAX} characters (default: the program's name)"
    )
    parser.add_argument("--website-url", help="https:// page with support information (default: --url)")
    parser.add_argument("--icon-color", type=Path, metavar="PNG", help="192x192 colour icon (default: drawn)")
    parser.add_argument(
        "--icon-outline", type=Path, metavar="PNG", help="32x32 icon, white on transparent (default: drawn)"
    )
    parser.add_argument(
        "--locale",
        default="sv",
        choices=LOCALES,
        help="the manifest's default language; the other is added as a language file",
    )
    parser.add_argument("--out", default="mentorbot-teams.zip", help="where to write the zip (default: %(default)s)")
    args = parser.parse_args(argv)
    options = PackageOptions(
        app_id=args.app_id,
        url=args.url,
        version=args.version,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
        developer=args.developer,
        website_url=args.website_url,
        locale=args.locale,
    )
    try:
        out = build_package(options, Path(args.out), icon_color=args.icon_color, icon_outline=args.icon_outline)
    except (PackageError, IconError) as err:
        print(f"mentorbot teams-package: {err}", file=sys.stderr)
        return 2
    print(
        f"Wrote {out} (version {options.version}): upload it in the Teams admin center "
        "(Teams apps > Manage apps > Upload new app)."
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
