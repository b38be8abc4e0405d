"""companion.notebook: the set-up every chapter's first cell runs, and the source of that cell."""

import random

import numpy as np
import pytest
import torch

from companion.notebook import setup_cell_source, setup_notebook


@pytest.fixture
def restore_settings():
    """setup_notebook sets print options and matplotlib defaults: give the other tests theirs back."""
    import matplotlib as mpl

    with np.printoptions(), mpl.rc_context():
        yield
    torch.set_printoptions(profile="default")


def test_setup_notebook_seeds_every_generator_and_returns_a_fresh_one(restore_settings):
    rng = setup_notebook(seed=3)
    draws = (random.random(), np.random.random(), float(torch.rand(1)), rng.random())
    rng = setup_notebook(seed=3)
    assert (random.random(), np.random.random(), float(torch.rand(1)), rng.random()) == draws
    assert np.get_printoptions()["precision"] == 4
    with pytest.raises(ValueError, match="seed must be at least 0"):
        setup_notebook(seed=-1)


@pytest.mark.parametrize("bad", ["http://example.com/x", "", None])
def test_setup_cell_rejects_bad_url(bad):
    with pytest.raises(ValueError, match="repository_url"):
        setup_cell_source(bad)


@pytest.mark.parametrize("bad", ["", "two words", None])
def test_setup_cell_rejects_bad_branch(bad):
    with pytest.raises(ValueError, match="branch"):
        setup_cell_source("https://github.com/a/b", bad)


def test_setup_cell_strips_git_suffix():
    assert "git+https://github.com/a/b@dev" in setup_cell_source("https://github.com/a/b.git/", "dev")
