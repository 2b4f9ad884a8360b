"""The Teams app package an admin uploads: a zip that Teams accepts."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from adapters.teams.icons import color_icon, outline_icon
from adapters.teams.package import main

SCHEMAS = Path(__file__).parent / "schema"
SCHEMA = json.loads((SCHEMAS / "MicrosoftTeams.v1.17.schema.json").read_text(encoding="utf-8"))
LANGUAGE_SCHEMA = json.loads((SCHEMAS / "MicrosoftTeams.Localization.v1.17.schema.json").read_text(encoding="utf-8"))
APP_ID = "0a1b2c3d-1111-2222-3333-444455556666"
REQUIRED = [
    "--app-id",
    APP_ID,
    "--url",
    "https://mentor.example.se/",
    "--version",
    "1.2.3",
    "--privacy-url",
    "https://www.taby.se/mentor/integritet",
    "--terms-url",
    "https://www.taby.se/mentor/villkor",
]


def args(tmp_path, *extra, without: str | None = None) -> list[str]:
    given = list(REQUIRED)
    if without is not None:
        at = given.index(without)
        del given[at : at + 2]
    return [*given, "--out", str(tmp_path / "pkg.zip"), *extra]


def _build(tmp_path, *extra) -> zipfile.ZipFile:
    assert main(args(tmp_path, *extra)) == 0
    return zipfile.ZipFile(tmp_path / "pkg.zip")


def refused(tmp_path, capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "pkg.zip").exists()
    return err


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_manifest_and_language_file_are_valid_against_the_official_schemas(tmp_path, locale):
    zf = _build(tmp_path, "--locale", locale, "--developer", "Täby kommun")
    manifest = json.loads(zf.read("manifest.json"))
    jsonschema.Draft4Validator(SCHEMA).validate(manifest)
    assert manifest["manifestVersion"] == "1.17"
    other = "en" if locale == "sv" else "sv"
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": locale,
        "additionalLanguages": [{"languageTag": other, "file": f"{other}.json"}],
    }
    language = json.loads(zf.read(f"{other}.json"))
    jsonschema.Draft4Validator(LANGUAGE_SCHEMA).validate(language)
    # Every string is translated, and each key names a string the manifest has.
    assert language["name.full"] != manifest["name"]["full"]
    descriptions = [c["description"] for lst in manifest["bots"][0]["commandLists"] for c in lst["commands"]]
    assert len([k for k in language if k.startswith("bots[0]")]) == len(descriptions)


def test_version_privacy_terms_and_developer_are_what_was_given(tmp_path):
    manifest = json.loads(
        _build(tmp_path, "--developer", "Täby kommun", "--website-url", "https://www.taby.se/mentor").read(
            "manifest.json"
        )
    )
    assert manifest["version"] == "1.2.3"
    assert manifest["developer"] == {
        "name": "Täby kommun",
        "websiteUrl": "https://www.taby.se/mentor",
        "privacyUrl": "https://www.taby.se/mentor/integritet",
        "termsOfUseUrl": "https://www.taby.se/mentor/villkor",
    }


def test_given_icons_go_into_the_package(tmp_path):
    (tmp_path / "c.png").write_bytes(color_icon())
    (tmp_path / "o.png").write_bytes(outline_icon())
    zf = _build(tmp_path, "--icon-color", str(tmp_path / "c.png"), "--icon-outline", str(tmp_path / "o.png"))
    assert zf.read("color.png") == color_icon() and zf.read("outline.png") == outline_icon()


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("--version", "1.0", "MAJOR.MINOR.PATCH"),
        ("--version", "v1.0.1", "MAJOR.MINOR.PATCH"),
        ("--privacy-url", "http://www.taby.se/integritet", "https://"),
        ("--terms-url", "villkor", "https://"),
        ("--website-url", "ftp://x.se", "https://"),
        ("--developer", "x" * 33, "1-32 characters"),
        ("--developer", "  ", "1-32 characters"),
    ],
)
def test_bad_options_are_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, option, value, words):
    err = refused(tmp_path, capsys, args(tmp_path, option, value))
    assert option in err and words in err


@pytest.mark.parametrize(
    "option, make, words",
    [
        ("--icon-color", lambda: outline_icon(), "is 32x32 pixels; Teams needs 192x192"),
        ("--icon-outline", lambda: color_icon(32), "white on a transparent background"),
        ("--icon-outline", lambda: outline_icon(48), "Teams needs 32x32"),
        ("--icon-outline", lambda: b"GIF89a", "not a usable PNG"),
    ],
)
def test_bad_icons_are_refused_with_what_teams_needs(tmp_path, capsys, option, make, words):
    (tmp_path / "icon.png").write_bytes(make())
    err = refused(tmp_path, capsys, args(tmp_path, option, str(tmp_path / "icon.png")))
    assert option in err and words in err


def test_an_outline_icon_saved_with_png_filters_is_read_correctly(tmp_path):
    import struct as st

    from adapters.teams.icons import SIGNATURE, read_png, rgba_pixels

    # 2x1 RGBA, one row with the Sub filter: white opaque, then transparent (0 - 255 wraps).
    row = bytes([1, 255, 255, 255, 255, 1, 1, 1, 1])

    def chunk(kind, data):
        return st.pack(">I", len(data)) + kind + data + st.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (
        SIGNATURE
        + chunk(b"IHDR", st.pack(">IIBBBBB", 2, 1, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row))
        + chunk(b"IEND", b"")
    )
    header, raw = read_png(png)
    assert rgba_pixels(header, raw) == [b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"]


@pytest.mark.parametrize("missing", ["--version", "--privacy-url", "--terms-url"])
def test_version_privacy_and_terms_must_be_given(tmp_path, capsys, missing):
    with pytest.raises(SystemExit):
        main(args(tmp_path, without=missing))
    assert missing in capsys.readouterr().err


def test_the_bot_is_offered_in_personal_team_and_group_chats_with_commands(tmp_path):
    manifest = json.loads(_build(tmp_path).read("manifest.json"))
    (bot,) = manifest["bots"]
    assert bot["botId"] == manifest["id"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    by_scope = {tuple(lst["scopes"]): [c["title"] for c in lst["commands"]] for lst in bot["commandLists"]}
    assert "status" in by_scope[("personal",)] and "channel" in by_scope[("team",)]
    assert manifest["validDomains"] == ["mentor.example.se"]


def test_icons_have_the_sizes_teams_requires(tmp_path):
    zf = _build(tmp_path)
    assert sorted(zf.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png"]
    w, h, _color = _png_size_and_pixels(zf.read("color.png"))
    assert (w, h) == (192, 192)
    w, h, outline = _png_size_and_pixels(zf.read("outline.png"))
    assert (w, h) == (32, 32)
    # The outline icon is white on transparent: every pixel is either.
    stride = 1 + 32 * 4
    pixels = {outline[r * stride + 1 + c * 4 : r * stride + 5 + c * 4] for r in range(32) for c in range(32)}
    assert pixels == {b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"}


def test_a_wrong_app_id_is_refused_with_a_one_line_hint(tmp_path, capsys):
    err = refused(tmp_path, capsys, args(tmp_path, "--app-id", "mentorbot"))
    assert "--app-id" in err and "GUID" in err


def test_a_plain_http_url_is_refused(tmp_path, capsys):
    assert "https://" in refused(tmp_path, capsys, args(tmp_path, "--url", "http://x.se"))
