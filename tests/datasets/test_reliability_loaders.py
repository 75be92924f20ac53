"""Issue 15, rows 7, 8 and 12: corpus paths stay under their root, files and
columns appear once, one emotion vocabulary; and a fuzz of manifest parsing."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_ser.datasets import (
    EMOTION_SYNONYMS,
    EMOTIONS,
    CorpusNotFoundError,
    load_emodb,
    load_folder,
    load_manifest,
    load_ravdess,
)


@pytest.fixture
def corpus(tmp_path, tone):
    """``root/`` with a.wav and b.wav, and ``outside.wav`` next to it."""
    root = tmp_path / "root"
    tone(root / "a.wav")
    tone(root / "b.wav")
    tone(tmp_path / "outside.wav")
    return root


def _manifest(root, *rows, header="path,label"):
    path = root / "m.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


# ------------------------------------------------------------ row 7: the root
@pytest.mark.parametrize("row", ["../outside.wav", "../../../../../../etc/hostname",
                                 "ABS", "sub/../../outside.wav"])
def test_manifest_paths_outside_the_root_are_refused(corpus, row):
    row = str(corpus.parent / "outside.wav") if row == "ABS" else row
    m = _manifest(corpus, "a.wav,anger", f"{row},sadness")
    with pytest.raises(ValueError, match="line 3: path .* outside the corpus root") as e:
        load_manifest(m)
    assert "\n" not in str(e.value) and "allow_outside_root=True" in str(e.value)


def test_manifest_symlink_out_of_the_root_is_refused(corpus):
    (corpus / "link.wav").symlink_to(corpus.parent / "outside.wav")
    m = _manifest(corpus, "a.wav,anger", "link.wav,sadness")
    with pytest.raises(ValueError, match="link.wav.*through a symbolic link"):
        load_manifest(m)


def test_symlink_inside_the_root_and_opt_out(corpus):
    (corpus / "link.wav").symlink_to(corpus / "b.wav")
    m = _manifest(corpus, "a.wav,anger", "link.wav,sadness")
    assert len(load_manifest(m).X) == 2  # a link that stays inside is fine
    m = _manifest(corpus, "a.wav,anger", "../outside.wav,sadness")
    data = load_manifest(m, allow_outside_root=True)
    assert str(corpus.parent / "outside.wav") in data.X.tolist()
    with pytest.raises(TypeError, match="allow_outside_root must be a bool"):
        load_manifest(m, allow_outside_root="yes")


def test_emodb_labels_csv_outside_the_root_is_refused(tmp_path, tone):
    root = tmp_path / "emodb"
    tone(root / "wav" / "03a01Fa.wav")
    tone(tmp_path / "secret.wav")
    (root / "labels.csv").write_text(
        "path,label,speaker\nwav/03a01Fa.wav,happiness,03\n../secret.wav,anger,03\n"
    )
    with pytest.raises(ValueError, match="row 3: path '../secret.wav'.*outside"):
        load_emodb(tmp_path)
    assert len(load_emodb(tmp_path, allow_outside_root=True).X) == 2


def test_folder_symlink_out_of_the_root_is_refused(tmp_path, tone):
    root = tmp_path / "c"
    tone(root / "anger" / "a.wav")
    tone(tmp_path / "secret.wav")
    (root / "sadness").mkdir()
    (root / "sadness" / "s.wav").symlink_to(tmp_path / "secret.wav")
    with pytest.raises(ValueError, match="s.wav.*outside the corpus root"):
        load_folder(root)
    assert len(load_folder(root, allow_outside_root=True).X) == 2


# ------------------------------------------------------- row 8: duplicates
def test_same_file_three_times_with_conflicting_labels(corpus):
    m = _manifest(corpus, "a.wav,anger", "b.wav,fear", "a.wav,sadness",
                  "./a.wav,anger")
    with pytest.raises(ValueError) as e:
        load_manifest(m)
    msg = str(e.value)
    assert "a.wav" in msg and "3 times" in msg and "lines 2, 4, 5" in msg
    assert "conflicting labels ['anger', 'sadness']" in msg


def test_same_file_twice_with_the_same_label(corpus):
    m = _manifest(corpus, "a.wav,anger", "a.wav,anger")
    with pytest.raises(ValueError, match="2 times .*label 'anger'"):
        load_manifest(m)


def test_same_file_through_a_link_is_a_duplicate(corpus):
    (corpus / "link.wav").symlink_to(corpus / "a.wav")
    m = _manifest(corpus, "a.wav,anger", "link.wav,anger")
    with pytest.raises(ValueError, match="2 times"):
        load_manifest(m)


@pytest.mark.parametrize("header", ["path,label,label", "path,label,path",
                                    "path,label,speaker,speaker"])
def test_duplicate_columns(corpus, header):
    m = _manifest(corpus, "a.wav,anger,x,y", header=header)
    with pytest.raises(ValueError, match="more than once") as e:
        load_manifest(m)
    assert header.split(",")[-1] in str(e.value)


def test_directory_in_a_manifest_is_named(corpus):
    (corpus / "dir.wav").mkdir()
    m = _manifest(corpus, "a.wav,anger", "dir.wav,fear")
    with pytest.raises(CorpusNotFoundError, match="dir.wav' is a directory"):
        load_manifest(m)


# -------------------------------------------------- row 12: one vocabulary
def _name(emo, actor):
    return f"03-01-{emo:02d}-01-01-01-{actor:02d}.wav"


def test_ravdess_through_its_loader_and_a_manifest_agree(tmp_path, tone):
    root = tmp_path / "ravdess"
    own = {1: "neutral", 3: "happy", 4: "sad", 5: "angry", 6: "fearful",
           7: "disgust", 8: "surprised", 2: "calm"}
    rows = []
    for emo, word in own.items():
        rel = f"Actor_17/{_name(emo, 17)}"
        tone(root / rel)
        rows.append(f"{rel},{word}")
    by_loader = load_ravdess(tmp_path)
    by_manifest = load_manifest(_manifest(root, *rows))
    assert by_manifest.X.tolist() == by_loader.X.tolist()
    assert by_manifest.y.tolist() == by_loader.y.tolist()
    assert set(by_loader.y) <= set(EMOTIONS)
    assert set(by_loader.speaker) == {"actor17"}  # as the staged labels.csv
    # verbatim, on request
    assert set(load_manifest(root / "m.csv", label_map=None).y) == set(own.values())


def test_label_map_dict_and_errors(corpus):
    m = _manifest(corpus, "a.wav,A", "b.wav,B")
    assert load_manifest(m, label_map={"A": "anger", "B": "fear"}).y.tolist() == [
        "anger", "fear"]
    with pytest.raises(ValueError, match=r"no entry for the label\(s\) \['B'\]"):
        load_manifest(m, label_map={"A": "anger"})
    with pytest.raises(ValueError, match="label_map must be"):
        load_manifest(m, label_map="ravdess")
    # custom labels pass the standard map unchanged; synonyms in any case
    m = _manifest(corpus, "a.wav,Angry", "b.wav,grumpy")
    assert load_manifest(m).y.tolist() == ["anger", "grumpy"]


def test_every_synonym_maps_into_the_vocabulary():
    assert set(EMOTION_SYNONYMS.values()) <= set(EMOTIONS)
    for word in ("angry", "happy", "fearful", "sad", "surprised", "ang", "hap"):
        assert EMOTION_SYNONYMS[word] in EMOTIONS


# ------------------------------------------------------ fuzz: manifest parsing
_text = st.text(alphabet=st.sampled_from(list('ab,."\n\r/\\..:é\x00 \tpathlbe')),
                max_size=80)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_text, header=st.sampled_from(["path,label", "label,path", "path",
                                           "path,label,label", ""]))
def test_manifest_fuzz_gives_clean_errors(corpus, body, header):
    m = corpus / "fuzz.csv"
    m.write_bytes((header + "\n" + body).encode("utf-8", "surrogatepass"))
    try:
        data = load_manifest(m)
    except (ValueError, TypeError) as exc:  # CorpusNotFoundError is a ValueError
        msg = str(exc)
        assert msg.startswith("load_manifest: "), msg
        assert "\n" not in msg.split("'")[0]
    else:  # loaded: every file is under the root and exists
        for p in data.X:
            assert os.path.realpath(p).startswith(os.path.realpath(corpus))
            assert os.path.isfile(p)
