"""What the docs tables show: the papers' figures and protocols, and our rows.

The papers' figures are copied from the papers (``papers/*.txt``, section named in
``source``); our figures are never written here, only *which* results file
(``benchmarks/results/<corpus>/<protocol>/<row>.json``) fills each cell.
"""

from __future__ import annotations

__all__ = ["HEADLINE", "MEASUREMENT_TABLES", "PAPER_ROWS", "ROW_LABELS", "command"]

#: Benchmark row -> what it is (``benchmarks/bench_accuracy.py --only <row>``).
ROW_LABELS = {
    "svm": "MFCC-statistics + SVM",
    "cnnlstm_ce": "liu2021 CNN-LSTM, cross-entropy",
    "cnnlstm_joint": "liu2021 CNN-LSTM, joint loss α = 0.3",
    "cnnlstm_joint_specaugment": "liu2021 CNN-LSTM, joint loss + SpecAugment balancing",
    "flat_cnnlstm_ce": "flat CNN-LSTM, cross-entropy (li2021's one-level baseline)",
    "hierarchical": "li2021 two-level: coarse CNN-LSTM + fine DoubleLSTM",
    "cascaded_joint": "liu2023 cascaded attention, joint loss",
    "blstm_ams": "zhou CNN-BLSTM-attention, AM-softmax",
    "blstm_focal": "zhou CNN-BLSTM-attention, focal loss",
    "resnet_softmax": "kumar ResNet1D, softmax only (40 epochs)",
    "cosine_embedding": "kumar cosine embedding, softmax + triplet (40 + 20 epochs)",
}

CORPUS_NAMES = {
    "emodb": "EmoDB",
    "ravdess": "RAVDESS (actors 01–16)",
    "synthetic": "synthetic corpus",
}

#: Protocol folder -> the bench options that produce it.
PROTOCOL_OPTIONS = {
    ("emodb", "loso"): "--corpus emodb --protocol loso",
    ("emodb", "stratified-kfold"): "--corpus emodb --protocol stratified-kfold",
    ("emodb", "speaker-kfold"): "--corpus emodb --protocol speaker-kfold",
    ("ravdess", "speaker-kfold"): "--corpus ravdess --protocol speaker-kfold",
    ("ravdess", "random-split"): "--corpus ravdess --protocol random-split "
    "--test-size 0.3",
}


def command(
    corpus: str,
    protocol: str,
    row: str,
    *,
    epochs: int | None = None,
    seeds: list | tuple | None = None,
) -> str:
    """The command that writes ``<corpus>/<protocol>/<row>.json``.

    ``epochs`` is the benchmark's ``--epochs`` cap and ``seeds`` its ``--seeds``
    (both left out when they are the defaults: no cap, seed 0).
    """
    base = row.removesuffix("_spknorm")
    opts = PROTOCOL_OPTIONS.get(
        (corpus, protocol), f"--corpus {corpus} --protocol {protocol}"
    )
    norm = " --speaker-norm" if row.endswith("_spknorm") else ""
    cap = f" --epochs {epochs}" if epochs else ""
    seed = (
        f" --seeds {','.join(map(str, seeds))}"
        if seeds is not None and list(seeds) != [0]
        else ""
    )
    return f"python benchmarks/bench_accuracy.py {opts} --only {base}{norm}{cap}{seed}"


#: The ``--epochs`` cap of the deep rows under the papers' protocols on EmoDB, the
#: same for both columns of a row (far fewer than the papers': the runs had to fit
#: in under an hour of a 2-core CPU shared with other work; ``docs/papers.rst``
#: says so). The speaker-independent column on EmoDB is ``speaker-kfold`` (5 folds
#: of 2 speakers): the same training size as the papers' random 5-fold, and half
#: the cost of leave-one-speaker-out.
BENCH_EPOCHS = {"cnnlstm_joint_specaugment": 3, "cascaded_joint": 3, "blstm_ams": 2}

#: One row per (paper, our model): the paper's own figure, protocol and training
#: length, then the results file under the paper's protocol, the
#: speaker-independent one and (``loso``, where run) leave-one-speaker-out with the
#: same training; ``epochs`` is the ``--epochs`` of the command shown
#: for a row not run yet, ``not_run`` why a protocol's file is missing.
PAPER_ROWS = [
    dict(
        paper="kumar",
        model="cosine_embedding",
        figure="accuracy 91.67 (= WA, note [1]_)",
        protocol="RAVDESS, all 24 actors (1 440 utt., 8 classes); random 70/30 "
        "split and 10-fold CV",
        source="§IV-A2, §IV-B2, Table IV",
        training="1000 + 1000 epochs, early stopping (patience 15)",
        corpus="ravdess",
        same=("random-split", "cosine_embedding"),
        independent=("speaker-kfold", "cosine_embedding"),
    ),
    dict(
        paper="kumar",
        model="svm",
        figure="(the paper's protocol, our baseline)",
        protocol="as above",
        source="",
        training="—",
        corpus="ravdess",
        same=("random-split", "svm"),
        independent=("speaker-kfold", "svm"),
    ),
    dict(
        paper="liu2021",
        model="cnnlstm_joint_specaugment",
        figure="WA 79.52, UA 78.30",
        protocol="IEMOCAP improvised, 4 classes; random 80/20, 5-fold CV, 5 seeds",
        source="§3.2, Table 3",
        training="epochs not stated; Adam 1e-4, batches of 32",
        epochs=BENCH_EPOCHS["cnnlstm_joint_specaugment"],
        corpus="emodb",
        same=("stratified-kfold", "cnnlstm_joint_specaugment"),
        independent=("speaker-kfold", "cnnlstm_joint_specaugment"),
        loso=("loso", "cnnlstm_joint_specaugment"),
    ),
    dict(
        paper="liu2023",
        model="cascaded_joint",
        figure="WA 80.34, UA 77.91",
        protocol="IEMOCAP improvised, 4 classes; random 80/20, 5-fold CV",
        source="§3.2, Table 2",
        training="epochs not stated; Adam 1e-4, batches of 32",
        epochs=BENCH_EPOCHS["cascaded_joint"],
        corpus="emodb",
        same=("stratified-kfold", "cascaded_joint"),
        independent=("speaker-kfold", "cascaded_joint"),
        loso=("loso", "cascaded_joint"),
    ),
    dict(
        paper="zhou",
        model="blstm_ams",
        figure="UA 66.7, WA 65.6",
        protocol="IEMOCAP, 4 classes (5 531 utt.); random 0.55/0.25/0.2, 5-fold CV",
        source="§4.1, Table 2 (AMS s = 10, m = 0.4)",
        training="up to 100 epochs, early stopping (patience 10) on the 0.25 "
        "validation part",
        epochs=BENCH_EPOCHS["blstm_ams"],
        corpus="emodb",
        same=("stratified-kfold", "blstm_ams"),
        independent=("speaker-kfold", "blstm_ams"),
        loso=("loso", "blstm_ams"),
    ),
    dict(
        paper="liu2021, liu2023, zhou",
        model="svm",
        figure="(the papers' protocol, our baseline)",
        protocol="as above",
        source="",
        training="—",
        corpus="emodb",
        same=("stratified-kfold", "svm"),
        independent=("speaker-kfold", "svm"),
        loso=("loso", "svm"),
    ),
]

#: The measurement tables of docs/papers.rst: (corpus, protocol, expected rows).
#: Files found beyond the expected rows are listed too.
MEASUREMENT_TABLES = [
    (
        "emodb",
        "loso",
        [
            "svm",
            "svm_spknorm",
            "cnnlstm_ce_spknorm",
            "cnnlstm_joint_spknorm",
            "cascaded_joint_spknorm",
            "resnet_softmax_spknorm",
            "blstm_ams_spknorm",
            "blstm_focal_spknorm",
        ],
    ),
    ("emodb", "stratified-kfold", ["svm"]),
    ("ravdess", "speaker-kfold", ["svm"]),
    ("ravdess", "random-split", ["svm"]),
]

#: README headline figures: (corpus, protocol, row).
HEADLINE = [
    ("emodb", "loso", "svm"),
    ("emodb", "loso", "svm_spknorm"),
    ("emodb", "stratified-kfold", "svm"),
    ("ravdess", "speaker-kfold", "svm"),
    ("ravdess", "random-split", "svm"),
]
