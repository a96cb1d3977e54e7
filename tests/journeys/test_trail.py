"""The trail tells the truth, in Chromium: the public opens the published demo arrangement, downloads its open
data and the standalone verifier; a scrutineer downloads the consultation's export ZIP and checks it with
`python3 verify_log.py export.zip --head <the hash the public page shows>`."""
import csv
import io
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, sign_in, snap

pytestmark = pytest.mark.browser


def _download(page, link, folder, name):
    with page.expect_download() as info:
        link.click()
    path = folder / name
    info.value.save_as(path)
    return path


def test_the_public_and_a_scrutineer_check_the_published_arrangement_against_the_log(page, browser_errors,
                                                                                     tmp_path):
    # The public: the published arrangement, at a desktop and a phone width.
    page.set_viewport_size(DESKTOP)
    page.goto("/arrangements/thematic-groups")
    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    expect(page.get_by_role("heading", name="Check the record")).to_be_visible()
    head = page.locator("#log-head").inner_text().strip()
    assert len(head) == 64
    snap(page, "trail-01-public-arrangement")
    assert_fits_width(page)
    page.set_viewport_size(PHONE)
    snap(page, "trail-01-public-arrangement")
    assert_fits_width(page)
    page.set_viewport_size(DESKTOP)

    # … downloads the comments as open data (not logged: anonymous requests never write to the log) …
    csv_path = _download(page, page.get_by_role("link", name="Download the published comments as open data (CSV)"),
                         tmp_path, "open-data.csv")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert rows and all(row["body"] for row in rows)
    assert any("exploitation across council boundaries" in row["body"] for row in rows)
    # … and the verifier, one Python file.
    verifier = _download(page, page.get_by_role("link", name="standalone log verifier (verify_log.py)"),
                         tmp_path, "verify_log.py")
    assert verifier.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3")

    # A scrutineer downloads the consultation's export …
    sign_in(page, "scrutineer@demo.test")
    page.goto("/scrutiny")
    expect(page.get_by_text("OK", exact=True).first).to_be_visible()  # every hash, link and recorded head
    page.get_by_role("link", name="Thematic groups: consultation").first.click()
    expect(page.get_by_role("button", name="Download the export (ZIP)")).to_be_visible()
    snap(page, "trail-02-scrutiny-workspace")
    assert_fits_width(page)
    page.set_viewport_size(PHONE)
    snap(page, "trail-02-scrutiny-workspace")
    # Not assert_fits_width: the workspace's wide data tables (the other rooms' rows, column by column) scroll
    # sideways on a phone, as they did before this journey; the scrutineer works at a desk.
    page.set_viewport_size(DESKTOP)
    export = _download(page, page.get_by_role("button", name="Download the export (ZIP)"), tmp_path, "export.zip")

    # … and checks it, every row of every file, against the head the public page shows.
    result = subprocess.run([sys.executable, str(verifier), str(export), "--head", head], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("OK "), result.stdout + result.stderr

    # A tampered copy is refused, in one line.
    import zipfile

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(export) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "responses.csv":
                data = data.replace(b"partly_accepted", b"accepted")
            target.writestr(name, data)
    result = subprocess.run([sys.executable, str(verifier), str(tampered), "--head", head], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and result.stdout.startswith("FAIL in responses.csv row"), result.stdout
    assert "Traceback" not in result.stderr
