"""Discovery of instrument files and lookup by `id` / `id@version`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rating_tui import paths
from rating_tui.instruments.catalogue import (
    Catalogue,
    Source,
    default_sources,
    discover,
    find_conflicts,
    semver_key,
)


@pytest.fixture
def instrument(kit):
    """instrument(id, version, title=...) -> TOML text of a valid instrument."""

    def _instrument(
        id_: str = "mini", version: str = "1.0.0", title: str = "Mini instrument"
    ) -> str:
        text = kit.replace_once(kit.MINIMAL_TOML, 'id = "mini"', f'id = "{id_}"')
        text = kit.replace_once(text, 'version = "1.0.0"', f'version = "{version}"')
        return kit.replace_once(text, 'title = "Mini instrument"', f'title = "{title}"')

    return _instrument


def refs(catalogue: Catalogue) -> list[str]:
    return [li.ref for li in catalogue.instruments]


def test_a_folder_of_valid_files(tmp_path, write, instrument):
    write("lib/b.toml", instrument("beta"))
    write("lib/a.toml", instrument("alpha", "2.0.0"))
    write("lib/notes.txt", "not an instrument")
    write("lib/backup.toml.bak", "junk")
    cat = discover([Source(tmp_path / "lib", "user")])
    assert refs(cat) == ["alpha@2.0.0", "beta@1.0.0"]  # files in name order
    assert cat.problems == []
    assert cat.files_read == 2
    alpha = cat.get("alpha")
    assert alpha.path == tmp_path / "lib" / "a.toml"
    assert alpha.source == "user"
    assert len(alpha.content_hash) == 64


def test_invalid_files_are_problems_and_valid_ones_still_load(tmp_path, write, instrument):
    write("lib/good.toml", instrument("good"))
    write("lib/typo.toml", instrument("typo").replace('title = "Mini instrument"', 'titel = "x"'))
    write("lib/broken.toml", 'id = "x\n')
    write("lib/binary.toml", b"\xff\xfe\x00\x01")
    cat = discover([Source(tmp_path / "lib", "--instruments")])
    assert refs(cat) == ["good@1.0.0"]
    assert cat.files_read == 4
    by_file = {}
    for p in cat.problems:
        by_file.setdefault(Path(p.file).name, []).append(p)
    assert set(by_file) == {"typo.toml", "broken.toml", "binary.toml"}
    assert {p.path for p in by_file["typo.toml"]} == {"titel", "title"}
    assert [p.line for p in by_file["broken.toml"]] == [1]
    assert "not valid TOML" in by_file["broken.toml"][0].message
    assert "not UTF-8" in by_file["binary.toml"][0].message
    assert all(p.file == str(tmp_path / "lib" / name) for name, ps in by_file.items() for p in ps)


def test_conflicting_id_and_version_keeps_the_first(tmp_path, write, instrument):
    first = write("builtin/mini.toml", instrument(title="Original"))
    second = write("user/mini.toml", instrument(title="Edited"))
    cat = discover([Source(first.parent, "built-in"), Source(second.parent, "user")])
    assert refs(cat) == ["mini@1.0.0"]
    assert cat.get("mini").instrument.title == "Original"
    assert cat.get("mini").path == first
    [p] = cat.problems
    assert p.file == str(second)
    assert p.path == "version"
    assert "claims mini@1.0.0" in p.message
    assert str(first) in p.message and "(built-in)" in p.message
    assert "different content" in p.message and "new version number" in p.message
    assert cat.files_read == 2


def test_conflict_within_one_folder_keeps_the_first_by_name(tmp_path, write, instrument):
    write("lib/a.toml", instrument(title="A"))
    write("lib/b.toml", instrument(title="B"))
    cat = discover([Source(tmp_path / "lib", "user")])
    assert cat.get("mini@1.0.0").instrument.title == "A"
    assert [Path(p.file).name for p in cat.problems] == ["b.toml"]


def test_identical_copies_collapse(tmp_path, write, instrument):
    text = instrument()
    write("one/mini.toml", text)
    # the same content spelled differently: comments, CRLF, a spelled-out default
    write("two/copy.toml", "# a copy\n" + text.replace("\n", "\r\n"))
    write(
        "three/copy.toml",
        text.replace('scale = "presence"\n', 'scale = "presence"\nrequired = true\n'),
    )
    cat = discover([Source(tmp_path / d, "user") for d in ("one", "two", "three")])
    assert refs(cat) == ["mini@1.0.0"]
    assert cat.problems == []
    assert cat.files_read == 3
    assert cat.get("mini").path == tmp_path / "one" / "mini.toml"


def test_different_versions_of_one_id_coexist(tmp_path, write, instrument):
    for version in ("1.9.0", "1.10.0", "1.9.0-rc.1", "0.99.99"):
        write(f"lib/mini-{version}.toml", instrument(version=version, title=f"v{version}"))
    cat = discover([Source(tmp_path / "lib", "user")])
    assert cat.problems == []
    assert sorted(refs(cat)) == sorted(
        f"mini@{v}" for v in ("1.9.0", "1.10.0", "1.9.0-rc.1", "0.99.99")
    )
    assert cat.get("mini").instrument.version == "1.10.0"
    assert cat.get("mini@1.9.0-rc.1").instrument.title == "v1.9.0-rc.1"
    assert cat.get("mini@1.9.0").instrument.title == "v1.9.0"


@pytest.mark.parametrize(
    ("versions", "newest"),
    [
        (["1.9.0", "1.10.0", "1.9.0-rc.1"], "1.10.0"),
        (["1.9.0-rc.1", "1.9.0"], "1.9.0"),
        (["1.9.0-rc.2", "1.9.0-rc.10", "1.9.0-rc.9"], "1.9.0-rc.10"),
        (["2.0.0-alpha", "1.99.0"], "2.0.0-alpha"),
        (["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-1"], "1.0.0-alpha.1"),
        (["0.1.0", "0.0.9"], "0.1.0"),
    ],
)
def test_get_by_id_returns_the_newest_semver(tmp_path, write, instrument, versions, newest):
    for n, version in enumerate(versions):
        write(f"lib/{n}.toml", instrument(version=version))
    cat = discover([Source(tmp_path / "lib", "user")])
    assert cat.get("mini").instrument.version == newest


def test_semver_key_follows_the_semver_precedence_rules():
    ordered = [
        "1.0.0-1",
        "1.0.0-2",
        "1.0.0-10",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.9.0",
        "1.10.0",
        "2.0.0",
    ]
    assert sorted(reversed(ordered), key=semver_key) == ordered
    assert semver_key("1.0.0+build.7") == semver_key("1.0.0")


def test_get_unknown_id_names_the_known_ones(tmp_path, write, instrument):
    write("lib/a.toml", instrument("beta"))
    write("lib/b.toml", instrument("alpha"))
    cat = discover([Source(tmp_path / "lib", "user")])
    with pytest.raises(LookupError) as caught:
        cat.get("gamma@1.0.0")
    assert str(caught.value) == "no instrument with id 'gamma' (known: alpha, beta)"


def test_get_from_an_empty_catalogue():
    with pytest.raises(LookupError, match=r"no instrument with id 'x' \(known: none\)"):
        Catalogue().get("x")


def test_get_unknown_version_names_the_versions(tmp_path, write, instrument):
    for n, version in enumerate(("1.10.0", "1.9.0", "1.9.0-rc.1")):
        write(f"lib/{n}.toml", instrument(version=version))
    cat = discover([Source(tmp_path / "lib", "user")])
    with pytest.raises(LookupError) as caught:
        cat.get("mini@2.0.0")
    assert str(caught.value) == "mini has no version 2.0.0 (versions: 1.9.0-rc.1, 1.9.0, 1.10.0)"


def test_missing_source_folder_is_a_problem_only_when_it_must_exist(tmp_path):
    absent = tmp_path / "nowhere"
    quiet = discover([Source(absent, "user", must_exist=False)])
    assert quiet.problems == [] and quiet.instruments == [] and quiet.files_read == 0
    loud = discover([Source(absent, "--instruments")])
    [p] = loud.problems
    assert p.file == str(absent)
    assert p.message == "no such file or folder (given as --instruments)"
    assert loud.files_read == 0


def test_a_toml_named_folder_is_reported_as_a_folder(tmp_path, write, instrument):
    write("lib/good.toml", instrument())
    (tmp_path / "lib" / "x.toml").mkdir()
    write("lib/x.toml/inner.toml", instrument("inner"))  # not searched: no recursion
    cat = discover([Source(tmp_path / "lib", "user")])
    assert refs(cat) == ["mini@1.0.0"]
    [p] = cat.problems
    assert p.file == str(tmp_path / "lib" / "x.toml")
    assert p.message == "is a folder; expected an instrument file (.toml)"
    assert cat.files_read == 2


def test_a_single_file_source(tmp_path, write, instrument):
    path = write("one.toml", instrument("single"))
    cat = discover([Source(path, "argument")])
    assert refs(cat) == ["single@1.0.0"]
    assert cat.get("single").source == "argument"


def test_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    cat = discover([Source(tmp_path / "empty", "user")])
    assert (cat.instruments, cat.problems, cat.files_read) == ([], [], 0)


def test_unreadable_file_is_a_problem(tmp_path, write, instrument):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = write("lib/locked.toml", instrument())
    path.chmod(0)
    try:
        cat = discover([Source(tmp_path / "lib", "user")])
    finally:
        path.chmod(0o644)
    [p] = cat.problems
    assert p.message.startswith("cannot be read: ")


def test_find_conflicts_between_catalogues(tmp_path, write, instrument):
    known_path = write("known/mini.toml", instrument(title="Known"))
    same = write("checked/same.toml", instrument(title="Known"))
    other = write("checked/other.toml", instrument("mini", "1.0.0", "Other"))
    known = discover([Source(known_path.parent, "built-in")])
    checked = discover([Source(same, "argument")])
    assert find_conflicts(checked, known) == []
    checked = discover([Source(other, "argument")])
    [p] = find_conflicts(checked, known)
    assert p.file == str(other) and p.path == "version"
    assert "claims mini@1.0.0" in p.message and str(known_path) in p.message
    # a file is never in conflict with itself
    assert find_conflicts(known, known) == []


def test_a_file_loaded_before_is_reused_not_read_again(tmp_path, write, instrument, monkeypatch):
    from rating_tui.instruments import catalogue as module

    lib = write("lib/a.toml", instrument("alpha")).parent
    write("lib/b.toml", instrument("beta"))
    checked = discover([Source(lib / "a.toml", "argument")])
    read: list[str] = []
    real = module.load_instrument

    def counting(path, source="file"):
        read.append(path.name)
        return real(path, source)

    monkeypatch.setattr(module, "load_instrument", counting)
    known = discover([Source(lib, "user")], reuse=checked)
    assert read == ["b.toml"] and refs(known) == ["alpha@1.0.0", "beta@1.0.0"]
    alpha = known.instruments[0]
    assert alpha.source == "user" and alpha.path == lib / "a.toml"
    assert alpha.content_hash == checked.instruments[0].content_hash


def test_default_sources_order_and_deduplication(monkeypatch, tmp_path):
    given = tmp_path / "given"
    env_only = tmp_path / "env"
    monkeypatch.setenv(paths.INSTRUMENTS_ENV, os.pathsep.join([str(given), str(env_only), " "]))
    sources = default_sources([given])
    assert [s.kind for s in sources] == [
        "built-in",
        "user",
        "--instruments",
        "$" + paths.INSTRUMENTS_ENV,
    ]
    assert sources[2].path == given and sources[3].path == env_only
    assert sources[1].must_exist is False
    assert all(s.must_exist for s in sources if s.kind != "user")


def test_the_built_in_instruments_load_without_problems():
    cat = discover([Source(paths.builtin_instruments_dir(), "built-in")])
    assert cat.problems == []
    assert cat.instruments, "no built-in instrument found"
    assert cat.files_read == len(cat.instruments)
    for loaded in cat.instruments:
        assert loaded.source == "built-in"
        assert loaded.path.parent == paths.builtin_instruments_dir()
