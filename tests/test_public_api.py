"""The public facade is curated: `__all__` is pinned so additions are deliberate."""

import runyard

EXPECTED = {
    "AlertLevel",
    "Api",
    "Artifact",
    "Audio",
    "CommError",
    "ConfigError",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Object3D",
    "Plotly",
    "RunStopped",
    "Settings",
    "Table",
    "UsageError",
    "Video",
    "__version__",
    "agent",
    "alert",
    "config",
    "define_metric",
    "finish",
    "init",
    "join",
    "log",
    "log_artifact",
    "mark_preempting",
    "plot",
    "plot_table",
    "run",
    "save",
    "summary",
    "sweep",
    "unwatch",
    "use_artifact",
    "watch",
}


def test_all_is_pinned():
    assert set(runyard.__all__) == EXPECTED
    for name in runyard.__all__:
        assert hasattr(runyard, name), name


def test_module_functions_before_init_say_what_to_do():
    import pytest

    assert runyard.run is None
    with pytest.raises(runyard.Error, match=r"call runyard.init\(\) before runyard.log\(\)"):
        runyard.log({"a": 1})
    with pytest.raises(runyard.Error, match=r"runyard.init\(\) before runyard.config"):
        runyard.config.lr  # noqa: B018
    with pytest.raises(runyard.Error, match=r"runyard.init\(\) before runyard.define_metric"):
        runyard.define_metric("a")
    runyard.finish()  # finishing nothing is fine
