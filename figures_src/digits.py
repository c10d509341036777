"""A small convnet trained on scikit-learn's handwritten digits (8×8 pixels), for the figures
that show what a trained network sees and how it can be fooled.

It is trained once (seeded, deterministic) and its weights are kept in the build cache, keyed by
this file's content: the figures that import this module share one training run per build.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("LECTURE_CACHE",
                            Path(__file__).resolve().parent.parent / "build" / ".cache"))


def data() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as (n, 8, 8, 1) floats in [0, 1], and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype("float32")[..., None], digits.target


def split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    images, labels = data()
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[:1400], order[1400:]
    return images[train], labels[train], images[test], labels[test]


def build():
    import keras

    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(8, 3, activation="relu", padding="same", name="conv1"),
        keras.layers.Conv2D(16, 3, activation="relu", padding="same", name="conv2"),
        keras.layers.MaxPool2D(2, name="pool"),
        keras.layers.Conv2D(32, 3, activation="relu", padding="same", name="conv3"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax", name="classes"),
    ])


def trained_model():
    """The trained model: from the cache, or trained now (and cached for the other figures)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    weights = CACHE / f"digits-{key}.weights.h5"
    model = build()
    with open(CACHE / "digits.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # figures run in parallel: one of them trains
        if not weights.exists():
            x_train, y_train, _, _ = split()
            model.compile(optimizer=keras.optimizers.Adam(0.005),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=12, batch_size=32, verbose=0, shuffle=True)
            partial = CACHE / f"digits-{key}.partial.weights.h5"
            model.save_weights(partial)
            os.replace(partial, weights)
        model.load_weights(weights)
    return model


def accuracy(model) -> float:
    _, _, x_test, y_test = split()
    return float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
