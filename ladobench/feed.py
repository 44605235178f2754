"""The build's own mkdocs plugin: mkdocs reads a generated page only once it is written.

The pages are made by a second process while mkdocs runs (production.py). Each one exists when mkdocs
starts (an empty file stands in for a new one), so mkdocs finds every page and orders them as ever; before
mkdocs reads a page, this plugin waits until the job that makes it has written it, and tells mkdocs of the
data files that job made, so that links to them are checked as usual. Before mkdocs copies the files
that are not pages, it waits for the rest (the downloads), and takes away the generated files this build
did not make (an authority or a chart taken out).

It is given to mkdocs in code, not in mkdocs.yml: a bare `mkdocs build` of the written folder needs none
of it, and gives the same site.
"""
from __future__ import annotations

import time
from pathlib import Path

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, set_exclusions


class Feed(BasePlugin):
    def __init__(self, stream, jobs, generated: tuple[str, ...], known: list[str], step=None):
        """stream: production.produce's items; generated: the folders the build owns; known: files named before
        they are made (the downloads); step(what, done, total): where mkdocs has got (build.Progress.step)."""
        super().__init__()
        self.step = step or (lambda what, done=None, total=None: None)
        self.pages = self.read = self.built = 0
        self.stream, self.last = stream, len(jobs) - 1
        self.job_of = {page: i for i, job in enumerate(jobs) for page in job.pages}
        self.generated = tuple(folder.rstrip("/") + "/" for folder in generated)
        self.made: set[str] = set()
        self._new: list[str] = list(known)
        self.done, self.written, self.removed, self.waited = -1, 0, 0, 0.0

    def _until(self, job: int) -> None:
        started = time.perf_counter()
        while self.done < job:
            try:
                self.done, names, written = next(self.stream)
            except StopIteration:
                raise RuntimeError(f"the pages' maker stopped at job {self.done + 1} of {self.last + 1}") from None
            self.made.update(names)
            self._new += names
            self.written += written
        self.waited += time.perf_counter() - started

    def _tell(self, files, config) -> None:
        """Add to mkdocs' list the files made since it looked (a new authority's chart data, say)."""
        for name in self._new:
            if files.get_file_from_path(name) is None:
                file = File(name, config.docs_dir, config.site_dir, config.use_directory_urls)
                set_exclusions([file], config)
                files.append(file)
        self._new = []

    def on_files(self, files, config):
        self._tell(files, config)
        self.pages = len(files.documentation_pages())
        return files

    def on_pre_page(self, page, config, files):
        self.read += 1
        self.step("mkdocs: pages read", self.read, self.pages)
        job = self.job_of.get(page.file.src_uri)
        if job is not None:
            self._until(job)
            self._tell(files, config)
        return page

    def on_post_page(self, output, page, config):
        self.built += 1
        self.step("mkdocs: pages written", self.built, self.pages)
        return output

    def on_env(self, env, config, files):
        self._until(self.last)
        started = time.perf_counter()
        self.value = self.stream.result()
        self.waited += time.perf_counter() - started
        self._tell(files, config)
        for file in list(files):
            # (Not what mkdocs leaves out anyway: a file half-written when mkdocs looked, named .<name>.tmp.)
            if (file.src_uri.startswith(self.generated) and file.src_uri not in self.made and not file.is_documentation_page()
                    and not file.inclusion.is_excluded()):
                files.remove(file)
                Path(file.abs_src_path).unlink(missing_ok=True)
                self.removed += 1
        return env
