"""Everything public is re-exported explicitly, and ``__all__`` is complete."""

import trio_spotify


def test_all_names_exist_and_every_public_name_is_listed():
    for name in trio_spotify.__all__:
        assert hasattr(trio_spotify, name), name
    public = {
        name
        for name, value in vars(trio_spotify).items()
        if name.isidentifier()  # pytest's assertion rewriting may add "@py_builtins"
        and not name.startswith("_")
        and not getattr(value, "__file__", None)  # not submodules
    }
    assert public <= set(trio_spotify.__all__), public - set(trio_spotify.__all__)
    assert len(trio_spotify.__all__) == len(set(trio_spotify.__all__))
