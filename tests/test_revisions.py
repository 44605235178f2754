"""Revision marks: a figure that changed since the previously published build is shown with [r]."""
import json

from ladobench.publish.downloads import generate as downloads
from ladobench.returns.validate import validate
from ladobench.stats.published import metric_text, publish


def test_a_changed_figure_is_marked_revised_and_nothing_else():
    dataset = validate()
    first = publish(dataset)
    previous = json.loads(downloads(first)["downloads/metrics.json"])
    assert (publish(dataset, previous).metrics["revised"] == "").all()  # same input: no marks
    for row in previous:
        if (row["authority"], row["period"], row["metric"]) == ("kent", "2023-24", "allegations_rate"):
            row["value"] = 21.5  # as if the last published build had said 21.5
    again = publish(dataset, previous).metrics
    marked = again[again["revised"] == "[r]"]
    assert list(zip(marked.authority, marked.metric)) == [("kent", "allegations_rate")]
    row = marked.iloc[0].to_dict()
    assert metric_text(row) == "22.0 [r]"


def test_first_build_has_no_revision_marks():
    assert (publish(validate(), None).metrics["revised"] == "").all()
