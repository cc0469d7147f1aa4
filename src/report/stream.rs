//! Reports of a scan too large to hold in memory.
//!
//! The engine hands over findings batch by batch
//! ([`crate::engine::run_streaming`]). A [`Stream`] folds each batch into a
//! [`Tally`] and the summary, writes its findings to a spool file and drops
//! them. When the scan is done it writes every format from the spool:
//!
//! - `result.json`, byte for byte what [`Renderer::write`] writes for the
//!   whole result: the findings of each check are copied from the check's
//!   spool file in check id order, which is canonical order because
//!   batches come in ascending account order. The spool keeps one file
//!   per check, each batch's findings appended to it, so this reads each
//!   file once from front to back (a batch-per-file spool read one range
//!   of every batch's file per check: 7,850 ranges at 10,000 accounts in
//!   batches of 64);
//! - `findings.ocsf.json` in the same order, one event per finding, from
//!   the findings parsed back from the spool;
//! - `report.md` and `report.html` from the tally: these are always the
//!   split reports (the stream is used only above `--split-accounts`);
//! - the account pages: each batch's as it is added, from its findings
//!   still in memory ([`Stream::pages_as_you_go`]), on a thread of their
//!   own beside the next batch's evaluation ([`Pages::beside`]); or, when
//!   a page shows what only the end of the scan can tell (a waiver of any
//!   account, the finishing time), one batch of accounts at a time, its
//!   findings read back from each check's file.
//!
//! Memory is then the tally (counts, up to `max_listed_findings` ERROR and
//! WAIVED findings, the failures' per-account counts, ten fix command
//! blocks per check), the organization findings, plus a
//! few batches in flight, whatever the number of accounts. The spool lives
//! in a temporary directory in the output directory
//! (`.auditscope-spool-*.tmp`), removed when done or interrupted.

use super::tally::Tally;
use super::{per_account, Format, RenderOptions, Renderer, ReportError, ResultParts};
use crate::checks::Catalogue;
use crate::result::{Finding, ScanResult, SummaryFold};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Ends each finding in a spool file, followed by a line break.
/// Serialized JSON never holds a raw control character (strings escape
/// them), so it cannot occur inside one. With it turned into a comma, a
/// run of spooled findings is the text `result.json` holds for them.
const END: u8 = 0x1e;

/// The findings in a run of spool bytes, each as `result.json` holds it.
fn elements(run: &[u8]) -> impl Iterator<Item = &[u8]> {
    run.split(|b| *b == END)
        .map(|piece| piece.strip_prefix(b"\n").unwrap_or(piece))
        .filter(|piece| !piece.is_empty())
}

/// The findings of one batch of accounts, on disk.
struct Batch {
    accounts: Vec<String>,
    /// Per check (catalogue order): the byte range of the batch's findings
    /// in the check's spool file ([`check_file`]). A batch comes in
    /// canonical order, so they are contiguous; batches are appended in
    /// order, so the ranges of one check follow each other.
    runs: Vec<Option<(u64, u64)>>,
}

/// The spool file of the check at catalogue index `check`.
fn check_file(spool: &Path, check: usize) -> PathBuf {
    spool.join(format!("check-{check}.json"))
}

/// Appends the byte range `from..to` of `file` to `buffer`.
fn read_range(
    file: &mut std::fs::File,
    (from, to): (u64, u64),
    buffer: &mut Vec<u8>,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(from))?;
    let start = buffer.len();
    buffer.resize(start + (to - from) as usize, 0);
    file.read_exact(&mut buffer[start..])
}

/// A scan's reports, written as its findings stream by.
pub struct Stream<'r> {
    renderer: &'r Renderer,
    catalogue: &'r Catalogue,
    options: RenderOptions,
    dir: PathBuf,
    check_index: HashMap<String, usize>,
    /// The last finding seen of each check, to prove canonical order.
    last: Vec<Option<Arc<Finding>>>,
    /// Findings of the organization scope: few, kept.
    whole: Vec<Arc<Finding>>,
    /// Batches are serialized and written by a thread of their own while
    /// the next batch is evaluated; its batches once it is done.
    spooler: Option<Spooler>,
    spooled: usize,
    /// Declared after the spooler, so that it is dropped (its thread
    /// joined) before the directory is removed.
    spool: tempfile::TempDir,
    batches: Vec<Batch>,
    tally: Tally,
    summary: SummaryFold,
    /// Whether [`Stream::add`] hands each batch to [`Pages`]
    /// ([`Stream::pages_as_you_go`]), and the pages written so.
    early: Option<Written>,
}

/// Files written per format.
type Written = Vec<(Format, Vec<PathBuf>)>;

/// Renders the account pages of batches of accounts, on every core.
pub struct Pages<'r> {
    renderer: &'r Renderer,
    catalogue: &'r Catalogue,
    options: RenderOptions,
    dir: PathBuf,
    /// Markdown, HTML or both.
    formats: Vec<Format>,
    controls: std::collections::BTreeMap<String, Vec<(String, bool)>>,
    /// What every page shows of the scan; its findings are not read.
    shell: ScanResult,
}

/// One batch for [`Pages::render`], from [`Stream::add`].
pub struct PageJob {
    accounts: Vec<String>,
    /// The batch's findings and its accounts' organization findings.
    findings: Vec<Arc<Finding>>,
    /// The waivers' uses, as far as they are known.
    waivers: Vec<crate::result::WaiverUse>,
}

impl Renderer {
    /// Starts the reports of a scan of `accounts` (in the order the result
    /// lists them) that will be written into `dir`.
    pub fn stream<'r>(
        &'r self,
        dir: &Path,
        catalogue: &'r Catalogue,
        accounts: &[String],
        options: &RenderOptions,
    ) -> Result<Stream<'r>, ReportError> {
        let io = |source| ReportError::Output {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let spool = tempfile::Builder::new()
            .prefix(".auditscope-spool-")
            .suffix(".tmp")
            .tempdir_in(dir)
            .map_err(io)?;
        Ok(Stream {
            renderer: self,
            catalogue,
            options: RenderOptions {
                split_accounts: true,
                ..options.clone()
            },
            dir: dir.to_owned(),
            spool,
            check_index: catalogue.check_positions(),
            last: vec![None; catalogue.checks.len()],
            whole: Vec::new(),
            spooler: None,
            spooled: 0,
            batches: Vec::new(),
            tally: Tally::new(
                catalogue,
                accounts,
                options.max_listed_findings,
                false,
                true,
            ),
            summary: SummaryFold::default(),
            early: None,
        })
    }
}

impl<'r> Stream<'r> {
    /// Renders the account pages of `formats` as each batch is added, from
    /// its findings in memory, instead of reading every batch back from
    /// the spool at the end ([`Stream::write_pages`]). The pages are the
    /// same bytes either way.
    ///
    /// `shell` is the scan's result before evaluation
    /// ([`crate::engine::result_shell`]); `waivers` the waivers, as
    /// [`crate::waivers::WaiverTally::so_far`] gives them. A page shows
    /// the uses of its account's waivers and of the waivers of any account
    /// (`*`); those of one account are final once its batch is evaluated,
    /// those of any account only at the end. So this does nothing and
    /// returns `None` when a waiver of any account exists, when the scan's
    /// times in `shell` are not those of the finished result and a page
    /// may show them (`times_final` false), or when a batch was already
    /// added.
    ///
    /// Otherwise [`Stream::add`] returns each batch's [`PageJob`] for the
    /// returned [`Pages`], which [`Pages::beside`] renders while the next
    /// batch is evaluated; [`Stream::pages_rendered`] takes the files.
    pub fn pages_as_you_go(
        &mut self,
        formats: &[Format],
        shell: ScanResult,
        waivers: &[crate::result::WaiverUse],
        times_final: bool,
    ) -> Option<Pages<'r>> {
        let formats = page_formats(formats);
        if formats.is_empty()
            || !times_final
            || waivers.iter().any(|w| w.account_id == "*")
            || self.spooled > 0
        {
            return None;
        }
        self.early = Some(Vec::new());
        Some(self.pages(&formats, shell))
    }

    /// Takes the pages [`Pages::beside`] wrote, for [`Stream::write_pages`].
    pub fn pages_rendered(&mut self, written: Written) {
        self.early = Some(written);
    }

    fn pages(&self, formats: &[Format], shell: ScanResult) -> Pages<'r> {
        Pages {
            renderer: self.renderer,
            catalogue: self.catalogue,
            options: self.options.clone(),
            dir: self.dir.clone(),
            formats: page_formats(formats),
            controls: self.catalogue.control_index(),
            shell,
        }
    }

    /// `findings` and the organization findings of `accounts`.
    fn with_whole(
        &self,
        accounts: &[String],
        mut findings: Vec<Arc<Finding>>,
    ) -> Vec<Arc<Finding>> {
        let batch: std::collections::HashSet<&str> = accounts.iter().map(String::as_str).collect();
        findings.extend(
            self.whole
                .iter()
                .filter(|f| batch.contains(&*f.account_id))
                .map(Arc::clone),
        );
        findings
    }

    /// Takes one call's findings of [`crate::engine::run_streaming`]:
    /// `accounts` empty for the organization scope, else the batch's
    /// accounts. Waivers must already be applied; `waivers` gives their
    /// uses so far. Returns the batch's pages to render now, with those
    /// uses, after [`Stream::pages_as_you_go`] (`waivers` is called only
    /// then).
    pub fn add(
        &mut self,
        accounts: &[String],
        findings: Vec<Arc<Finding>>,
        waivers: impl FnOnce() -> Vec<crate::result::WaiverUse>,
    ) -> Result<Option<PageJob>, ReportError> {
        let mut checks = Vec::with_capacity(findings.len());
        for finding in &findings {
            let check = self.check(finding)?;
            checks.push(check);
            if let Some(last) = &self.last[check] {
                if last.key() > finding.key() {
                    return Err(ReportError::Internal(format!(
                        "findings out of order: {} {} after {}",
                        finding.check_id, finding.account_id, last.account_id
                    )));
                }
            }
            self.last[check] = Some(Arc::clone(finding));
            self.tally.add(finding);
            self.summary.add(finding);
        }
        if accounts.is_empty() {
            self.whole.extend(findings);
            self.whole.sort_by(|a, b| a.key().cmp(&b.key()));
            return Ok(None);
        }
        self.spooled += 1;
        let spooler = match &mut self.spooler {
            Some(spooler) => spooler,
            None => self.spooler.insert(Spooler::start(CheckFiles::new(
                self.spool.path(),
                self.catalogue.checks.len(),
                CheckFiles::MAX_OPEN,
            ))),
        };
        let for_pages = self.early.is_some().then(|| findings.clone());
        spooler.send(Job {
            accounts: accounts.to_vec(),
            findings,
            checks,
        })?;
        Ok(for_pages.map(|findings| PageJob {
            accounts: accounts.to_vec(),
            findings: self.with_whole(accounts, findings),
            waivers: waivers(),
        }))
    }

    /// Waits for the spooler to write every batch.
    fn close(&mut self) -> Result<(), ReportError> {
        if let Some(spooler) = self.spooler.take() {
            self.batches.extend(spooler.finish()?);
        }
        Ok(())
    }

    fn check(&self, finding: &Finding) -> Result<usize, ReportError> {
        self.check_index
            .get(&*finding.check_id)
            .copied()
            .ok_or_else(|| ReportError::Internal(format!("unknown check {}", finding.check_id)))
    }

    /// The summary of every finding added, for `controls` (see
    /// [`crate::result::SummaryFold::finish`]).
    pub fn summary(
        &mut self,
        controls: &std::collections::BTreeMap<String, Vec<(String, bool)>>,
    ) -> crate::result::Summary {
        std::mem::take(&mut self.summary).finish(controls)
    }

    /// Writes `format` for `result`, which is the scan's result without
    /// findings (they are in the stream) and with its summary and waivers
    /// set. Returns the files written. The account pages of Markdown and
    /// HTML are written by [`Stream::write_pages`].
    pub fn write(
        &mut self,
        format: Format,
        result: &ScanResult,
    ) -> Result<Vec<PathBuf>, ReportError> {
        self.close()?;
        let path = self.dir.join(format.file_name());
        match format {
            Format::Json => {
                super::write_file(&path, |out| self.write_json(result, &path, out))?;
                Ok(vec![path])
            }
            Format::Ocsf => {
                super::write_file(&path, |out| self.write_ocsf(result, &path, out))?;
                Ok(vec![path])
            }
            Format::Markdown | Format::Html => {
                self.tally.finish();
                let model = super::ReportModel::from_tally(
                    ResultParts::of(result),
                    &self.tally,
                    self.catalogue,
                    &self.options,
                    &self.renderer.texts,
                );
                let name = format.template().unwrap_or_default();
                super::write_file(&path, |out| {
                    self.renderer
                        .render_model(name, &model, self.catalogue, out)
                })?;
                Ok(vec![path])
            }
        }
    }

    /// `result.json`: the result's own serialization with the findings
    /// spliced in where its empty list is.
    fn write_json(
        &self,
        result: &ScanResult,
        path: &Path,
        out: &mut dyn Write,
    ) -> Result<(), ReportError> {
        let header = serde_json::to_vec_pretty(result)?;
        // The only line that is exactly this: a raw line break cannot be
        // inside a JSON string, and findings are a top-level field.
        const EMPTY: &[u8] = b"\n  \"findings\": [],\n";
        let at = header
            .windows(EMPTY.len())
            .position(|w| w == EMPTY)
            .ok_or_else(|| ReportError::Internal("no findings field in the result".into()))?;
        let io = serde_json::Error::io;
        out.write_all(&header[..at]).map_err(io)?;
        out.write_all(b"\n  \"findings\": [").map_err(io)?;
        let mut first = true;
        let mut element = Vec::new();
        self.for_each_chunk_in_order(path, |chunk| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            match chunk {
                Chunk::Finding(finding) => {
                    element.clear();
                    write_element(&mut element, finding).map_err(std::io::Error::other)?;
                    out.write_all(&element)
                }
                Chunk::Run(bytes) => {
                    // Copied whole, each END made the comma between two
                    // elements; the last one's comma and line break (a
                    // run ends in END and a line break) are written
                    // before the next chunk, if there is one.
                    let kept = bytes.len().saturating_sub(2);
                    let run = &mut bytes[..kept];
                    for byte in run.iter_mut() {
                        if *byte == END {
                            *byte = b',';
                        }
                    }
                    out.write_all(run)
                }
            }
        })?;
        out.write_all(if first { b"]" } else { b"\n  ]" })
            .map_err(io)?;
        out.write_all(&header[at + EMPTY.len() - 2..]).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        Ok(())
    }

    /// The OCSF events, in the order of `result.json`.
    fn write_ocsf(
        &self,
        result: &ScanResult,
        path: &Path,
        out: &mut dyn Write,
    ) -> Result<(), ReportError> {
        let time = crate::ocsf::event_time(result);
        let io = serde_json::Error::io;
        out.write_all(b"[").map_err(io)?;
        let mut first = true;
        self.for_each_in_order(path, |piece| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            let parsed;
            let finding = match piece {
                Piece::Finding(finding) => finding,
                Piece::Spooled(bytes) => {
                    parsed = serde_json::from_slice::<Finding>(bytes)?;
                    &parsed
                }
            };
            let event = crate::ocsf::event(finding, self.catalogue, &result.tool.version, time);
            serde_json::to_writer(&mut *out, &event).map_err(std::io::Error::other)
        })?;
        out.write_all(b"\n]\n").map_err(io)?;
        Ok(())
    }

    /// Calls `each` with every finding in canonical order: per check in id
    /// order, the kept organization findings and then each batch's run.
    /// An error of `each` is one of writing `output`.
    fn for_each_in_order(
        &self,
        output: &Path,
        mut each: impl FnMut(Piece) -> std::io::Result<()>,
    ) -> Result<(), ReportError> {
        self.for_each_chunk_in_order(output, |chunk| match chunk {
            Chunk::Finding(finding) => each(Piece::Finding(finding)),
            Chunk::Run(run) => elements(run).try_for_each(|bytes| each(Piece::Spooled(bytes))),
        })
    }

    /// As [`Stream::for_each_in_order`], with each batch's run of a check
    /// handed over whole.
    fn for_each_chunk_in_order(
        &self,
        output: &Path,
        mut each: impl FnMut(Chunk) -> std::io::Result<()>,
    ) -> Result<(), ReportError> {
        let written = |source| ReportError::Output {
            path: output.display().to_string(),
            source,
        };
        let mut order: Vec<(&str, usize)> = self
            .check_index
            .iter()
            .map(|(id, i)| (id.as_str(), *i))
            .collect();
        order.sort();
        let mut buffer = Vec::new();
        for (id, check) in order {
            let start = self.whole.partition_point(|f| &*f.check_id < id);
            for finding in self.whole[start..]
                .iter()
                .take_while(|f| &*f.check_id == id)
            {
                each(Chunk::Finding(finding)).map_err(written)?;
            }
            // Opened once per check and read front to back, one batch's
            // range at a time: memory stays one batch's findings of one
            // check.
            let path = check_file(self.spool.path(), check);
            let mut file = None;
            for batch in &self.batches {
                let Some(range) = batch.runs[check] else {
                    continue;
                };
                let mut read = || -> std::io::Result<()> {
                    let file = match &mut file {
                        Some(file) => file,
                        None => file.insert(std::fs::File::open(&path)?),
                    };
                    buffer.clear();
                    read_range(file, range, &mut buffer)
                };
                read().map_err(|e| spool_error(&path, e))?;
                if !buffer.ends_with(&[END, b'\n']) {
                    let cut = std::io::Error::other("a run of findings is cut short");
                    return Err(spool_error(&path, cut));
                }
                each(Chunk::Run(&mut buffer)).map_err(written)?;
            }
        }
        Ok(())
    }

    /// The account pages of every page format in `formats` (Markdown,
    /// HTML), one batch read back at a time and rendered on every core.
    /// Returns the pages written per format, in account order.
    pub fn write_pages(
        &mut self,
        formats: &[Format],
        result: &ScanResult,
    ) -> Result<Vec<(Format, Vec<PathBuf>)>, ReportError> {
        self.close()?;
        match self.early.take() {
            Some(written) => Ok(written),
            None => self.render_pages(formats, result),
        }
    }

    fn render_pages(
        &self,
        formats: &[Format],
        result: &ScanResult,
    ) -> Result<Written, ReportError> {
        let pages = self.pages(
            formats,
            ScanResult {
                findings: Vec::new(),
                ..result.clone()
            },
        );
        let mut written = pages.empty();
        if pages.formats.is_empty() {
            return Ok(written);
        }
        super::with_committer(&self.dir, |commit| {
            self.pages_from_spool(&pages, result, commit, &mut written)
        })?;
        Ok(written)
    }

    /// The account pages of every batch, from its findings read back from
    /// the spool.
    fn pages_from_spool(
        &self,
        pages: &Pages,
        result: &ScanResult,
        commit: &crate::atomic::Committer,
        written: &mut Written,
    ) -> Result<(), ReportError> {
        let mut bytes = Vec::new();
        for batch in &self.batches {
            // Opened per range, so that open files do not grow with the
            // checks: this path is taken only when a page waits for the
            // end of the scan.
            bytes.clear();
            for (check, run) in batch.runs.iter().enumerate() {
                let Some(run) = *run else { continue };
                let path = check_file(self.spool.path(), check);
                std::fs::File::open(&path)
                    .and_then(|mut file| read_range(&mut file, run, &mut bytes))
                    .map_err(|e| spool_error(&path, e))?;
            }
            let pieces: Vec<&[u8]> = elements(&bytes).collect();
            let findings: Vec<Arc<Finding>> = on_every_core(&pieces, |chunk| {
                chunk
                    .iter()
                    .map(|piece| Ok(Arc::new(serde_json::from_slice(piece)?)))
                    .collect()
            })?;
            let job = PageJob {
                accounts: batch.accounts.clone(),
                findings: self.with_whole(&batch.accounts, findings),
                waivers: result.waivers.clone(),
            };
            file_pages(written, pages.render(job, commit)?);
        }
        Ok(())
    }
}

impl Pages<'_> {
    fn empty(&self) -> Written {
        self.formats.iter().map(|f| (*f, Vec::new())).collect()
    }

    /// Runs `work`, which evaluates the batches, while a thread of its own
    /// renders the [`PageJob`]s that `work` hands to its argument, one
    /// batch behind. Handing a job waits until the thread takes it, so two
    /// batches of findings are held at most: one rendered while the next
    /// is evaluated.
    ///
    /// Returns what `work` returns and the pages written. An error of
    /// rendering stops `work` at its next job and is the one returned.
    pub fn beside<T>(
        &self,
        work: impl FnOnce(&mut dyn FnMut(PageJob) -> Result<(), ReportError>) -> Result<T, ReportError>,
    ) -> Result<(T, Written), ReportError> {
        std::thread::scope(|scope| {
            let (jobs, queue) = std::sync::mpsc::sync_channel::<PageJob>(0);
            let thread = std::thread::Builder::new()
                .name("pages".into())
                .spawn_scoped(scope, move || {
                    let mut written = self.empty();
                    super::with_committer(&self.dir, |commit| {
                        for job in queue {
                            file_pages(&mut written, self.render(job, commit)?);
                        }
                        Ok(())
                    })?;
                    Ok(written)
                })
                .map_err(|e| ReportError::Output {
                    path: self.dir.display().to_string(),
                    source: e,
                })?;
            let outcome = work(&mut |job| {
                jobs.send(job).map_err(|_| {
                    // The thread stopped: its error is the one returned.
                    ReportError::Internal("the page thread stopped".into())
                })
            });
            drop(jobs);
            let written = thread.join().unwrap_or_else(|_| {
                Err(ReportError::Internal("the page thread panicked".into()))
            })?;
            Ok((outcome?, written))
        })
    }

    /// The account pages of one batch, in place once `commit` is finished.
    fn render(
        &self,
        job: PageJob,
        commit: &crate::atomic::Committer,
    ) -> Result<Vec<(Format, PathBuf)>, ReportError> {
        let PageJob {
            accounts,
            mut findings,
            waivers,
        } = job;
        let batch: std::collections::HashSet<&str> = accounts.iter().map(String::as_str).collect();
        findings.sort_by(|a, b| a.key().cmp(&b.key()));
        let result = &self.shell;
        let part = ScanResult {
            schema_version: result.schema_version,
            tool: result.tool.clone(),
            scan: crate::result::ScanInfo {
                accounts: accounts.clone(),
                ..result.scan.clone()
            },
            findings,
            errors: result
                .errors
                .iter()
                .filter(|e| batch.contains(e.account_id.as_str()))
                .cloned()
                .collect(),
            summary: Default::default(),
            waivers,
            changes: None,
        };
        let accounts = per_account(&part, &self.controls);
        drop(part);
        on_every_core(&accounts, |chunk| {
            let mut pages = Vec::new();
            for account in chunk {
                pages.extend(self.renderer.write_pages(
                    &self.formats,
                    &self.dir,
                    account,
                    self.catalogue,
                    &self.options,
                    commit,
                )?);
            }
            Ok(pages)
        })
    }
}

/// The formats of `formats` that have account pages.
fn page_formats(formats: &[Format]) -> Vec<Format> {
    formats
        .iter()
        .copied()
        .filter(|f| matches!(f, Format::Markdown | Format::Html))
        .collect()
}

/// Adds `rendered` pages to the list of their format in `written`.
fn file_pages(written: &mut [(Format, Vec<PathBuf>)], rendered: Vec<(Format, PathBuf)>) {
    for (format, page) in rendered {
        if let Some((_, list)) = written.iter_mut().find(|(f, _)| *f == format) {
            list.push(page);
        }
    }
}

/// Runs `each` on one contiguous chunk of `items` per core, and returns
/// the outputs in the order of `items`; the first error (or a panic) wins.
fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    each: impl Fn(&[T]) -> Result<Vec<R>, ReportError> + Sync,
) -> Result<Vec<R>, ReportError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(workers).max(1);
    let parts: Vec<Result<Vec<R>, ReportError>> = std::thread::scope(|threads| {
        let jobs: Vec<_> = items
            .chunks(chunk)
            .map(|chunk| threads.spawn(|| each(chunk)))
            .collect();
        jobs.into_iter()
            .map(|job| {
                job.join()
                    .unwrap_or_else(|_| Err(ReportError::Internal("a worker panicked".into())))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(items.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// An error reading or writing the spool file at `path`.
fn spool_error(path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Output {
        path: path.display().to_string(),
        source,
    }
}

/// One batch for the spooler to write.
struct Job {
    accounts: Vec<String>,
    findings: Vec<Arc<Finding>>,
    /// The catalogue index of each finding's check.
    checks: Vec<usize>,
}

/// The thread that writes batches to the spool. At most one batch waits
/// for it, so a slow disk holds back the evaluation instead of filling
/// memory.
struct Spooler {
    jobs: Option<std::sync::mpsc::SyncSender<Job>>,
    thread: Option<std::thread::JoinHandle<Result<Vec<Batch>, ReportError>>>,
}

impl Spooler {
    fn start(mut files: CheckFiles) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(1);
        let thread = std::thread::Builder::new()
            .name("spool".into())
            .spawn(move || {
                let mut batches = Vec::new();
                for job in receiver {
                    batches.push(spool(job, &mut files)?);
                }
                files.close_all()?;
                Ok(batches)
            })
            .ok();
        Spooler {
            jobs: Some(jobs),
            thread,
        }
    }

    fn send(&mut self, job: Job) -> Result<(), ReportError> {
        let sent = match &self.jobs {
            Some(jobs) if self.thread.is_some() => jobs.send(job).is_ok(),
            _ => false,
        };
        if sent {
            return Ok(());
        }
        // The thread stopped (or never started): its error says why.
        self.jobs = None;
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(Err(error))) => Err(error),
            _ => Err(ReportError::Internal("the spool writer stopped".into())),
        }
    }

    fn finish(mut self) -> Result<Vec<Batch>, ReportError> {
        self.jobs = None;
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(batches)) => batches,
            _ => Err(ReportError::Internal("the spool writer stopped".into())),
        }
    }
}

impl Drop for Spooler {
    /// On an error the thread is still stopped and joined, so it never
    /// writes into a spool directory being removed.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The spool's files, one per check, each written by appending: the
/// spooler's side of [`check_file`].
struct CheckFiles {
    dir: PathBuf,
    /// The open file of each check, if any.
    open: Vec<Option<BufWriter<std::fs::File>>>,
    /// How many may be open at once.
    max_open: usize,
    /// How many bytes each check's file holds.
    len: Vec<u64>,
}

impl CheckFiles {
    /// At most this many spool files are open at once: the bundled
    /// catalogue's checks all stay open, and a catalogue of thousands of
    /// checks cannot take the process's open files from the rest of the
    /// scan (the usual limit is 1,024).
    const MAX_OPEN: usize = 128;

    fn new(dir: &Path, checks: usize, max_open: usize) -> Self {
        CheckFiles {
            dir: dir.to_owned(),
            open: (0..checks).map(|_| None).collect(),
            max_open: max_open.max(1),
            len: vec![0; checks],
        }
    }

    /// Appends `bytes` to the file of `check`; returns the range they
    /// take in it. A file is opened on first use and kept open; when
    /// `max_open` are open, all are closed first (a batch visits the
    /// checks in one order, so no file is better to keep than another).
    fn append(&mut self, check: usize, bytes: &[u8]) -> Result<(u64, u64), ReportError> {
        if self.open[check].is_none() {
            if self.opened() >= self.max_open {
                self.close_all()?;
            }
            let path = check_file(&self.dir, check);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| spool_error(&path, e))?;
            self.open[check] = Some(BufWriter::with_capacity(64 * 1024, file));
        }
        let start = self.len[check];
        if let Some(out) = &mut self.open[check] {
            out.write_all(bytes)
                .map_err(|e| spool_error(&check_file(&self.dir, check), e))?;
        }
        self.len[check] = start + bytes.len() as u64;
        Ok((start, self.len[check]))
    }

    /// How many files are open.
    fn opened(&self) -> usize {
        self.open.iter().filter(|file| file.is_some()).count()
    }

    /// Writes out and closes every open file.
    fn close_all(&mut self) -> Result<(), ReportError> {
        for (check, open) in self.open.iter_mut().enumerate() {
            if let Some(mut out) = open.take() {
                out.flush()
                    .map_err(|e| spool_error(&check_file(&self.dir, check), e))?;
            }
        }
        Ok(())
    }
}

/// Appends one batch's findings to the spool files of their checks.
fn spool(job: Job, files: &mut CheckFiles) -> Result<Batch, ReportError> {
    let mut runs: Vec<Option<(u64, u64)>> = vec![None; files.open.len()];
    let mut element = Vec::new();
    for (finding, &check) in job.findings.iter().zip(&job.checks) {
        element.clear();
        write_element(&mut element, finding)?;
        element.extend_from_slice(&[END, b'\n']);
        let (start, end) = files.append(check, &element)?;
        let run = &mut runs[check];
        *run = Some((run.map_or(start, |(first, _)| first), end));
    }
    Ok(Batch {
        accounts: job.accounts,
        runs,
    })
}

/// Findings as [`Stream::for_each_chunk_in_order`] hands them over.
enum Chunk<'a> {
    Finding(&'a Finding),
    /// One batch's findings of a check in a spool file: each element ends
    /// in [`END`] and a line break (checked when read).
    Run(&'a mut Vec<u8>),
}

/// A finding as [`Stream::for_each_in_order`] hands it over.
enum Piece<'a> {
    Finding(&'a Finding),
    /// Its bytes in a spool file: as `result.json` holds it.
    Spooled(&'a [u8]),
}

/// Writes `finding` as an element of `result.json`'s findings list: pretty,
/// indented two levels.
fn write_element(out: &mut Vec<u8>, finding: &Finding) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"    ");
    finding.serialize(&mut serde_json::Serializer::with_formatter(
        out,
        Nested {
            depth: 2,
            has_value: false,
        },
    ))
}

/// `serde_json`'s pretty layout (two spaces per level) for a value that
/// starts `depth` levels deep: what `serde_json::to_writer_pretty` writes
/// for the whole result, for one element of it, straight into the buffer.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn line<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            for _ in 0..self.depth {
                out.write_all(b"  ")?;
            }
        }
        out.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Resource, Status};

    /// Each check's file holds its findings of every batch in batch
    /// order, at the ranges `append` returned, while no more files than
    /// allowed are ever open.
    #[test]
    fn each_checks_spool_file_holds_its_batches_in_order_with_few_files_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = CheckFiles::new(dir.path(), 5, 2);
        let mut expected = vec![Vec::new(); 5];
        let mut ranges = vec![Vec::new(); 5];
        for batch in 0..4 {
            // Batch 1 has no finding of check 3; check 4 has none at all.
            for check in (0..4).filter(|&c| !(batch == 1 && c == 3)) {
                let bytes = format!("b{batch}c{check}-{}", "x".repeat(batch * 3 + check));
                let range = files.append(check, bytes.as_bytes()).expect("append");
                assert!(files.opened() <= 2, "{} files open", files.opened());
                ranges[check].push((range, bytes.clone()));
                expected[check].extend_from_slice(bytes.as_bytes());
            }
        }
        files.close_all().expect("close");
        for check in 0..5 {
            let path = check_file(dir.path(), check);
            let Ok(content) = std::fs::read(&path) else {
                assert!(expected[check].is_empty(), "check {check} has no file");
                continue;
            };
            assert_eq!(content, expected[check], "check {check}");
            let mut file = std::fs::File::open(&path).expect("open");
            let mut buffer = Vec::new();
            for ((from, to), bytes) in &ranges[check] {
                buffer.clear();
                read_range(&mut file, (*from, *to), &mut buffer).expect("read");
                assert_eq!(buffer, bytes.as_bytes(), "check {check} at {from}..{to}");
            }
        }
        assert!(!check_file(dir.path(), 4).exists());
    }

    #[test]
    fn a_page_that_cannot_be_written_stops_the_evaluation_with_its_error() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let catalogue = crate::checks::load_dir(&root.join("checks")).expect("checks load");
        let texts = Arc::new(crate::i18n::Texts::load("en").expect("English"));
        let renderer = Renderer::new(None, texts).expect("renderer");
        let dir = tempfile::tempdir().expect("tempdir");
        // A file where the account pages go.
        std::fs::write(dir.path().join("accounts"), b"in the way").expect("write");
        let accounts = vec!["111111111111".to_owned(), "222222222222".to_owned()];
        let mut stream = renderer
            .stream(dir.path(), &catalogue, &accounts, &RenderOptions::default())
            .expect("stream");
        let mut shell = crate::engine::result_shell(
            &crate::model::Snapshot::default(),
            &catalogue,
            crate::engine::RunInfo::default(),
        );
        shell.scan.accounts = accounts.clone();
        let pages = stream
            .pages_as_you_go(&[Format::Markdown], shell, &[], true)
            .expect("pages as batches are evaluated");
        let mut batches = 0;
        let outcome = pages.beside(|render| {
            for account in &accounts {
                batches += 1;
                // The second hand-over fails once the first page failed.
                if let Some(job) =
                    stream.add(std::slice::from_ref(account), Vec::new(), Vec::new)?
                {
                    render(job)?;
                }
            }
            Ok(())
        });
        match outcome {
            Err(ReportError::Output { path, .. }) => assert!(path.contains("accounts"), "{path}"),
            Err(other) => panic!("the page's own error, not {other}"),
            Ok(_) => panic!("the page cannot be written"),
        }
        assert_eq!(batches, 2, "stopped at the job after the failure");
    }

    #[test]
    fn a_spooled_finding_reads_back_exactly_as_it_was_made() {
        let mut evidence = std::collections::BTreeMap::new();
        // Parsed back one unit off without serde_json's float_roundtrip.
        evidence.insert("threshold".into(), serde_json::json!(6.178787134922198e305));
        evidence.insert("ratio".into(), serde_json::json!(1.0e-7 / 3.0));
        evidence.insert(
            "text".into(),
            serde_json::json!("line\nbreak \u{1e} \"quoted\""),
        );
        let finding = Finding {
            check_id: "c".into(),
            title: "t".into(),
            severity: "low".into(),
            status: Status::Fail,
            account_id: "111111111111".into(),
            region: Some("eu-west-1".into()),
            resource: Resource {
                resource_type: "AWS::::Account".into(),
                id: "111111111111".into(),
            },
            message: "m".into(),
            evidence,
            remediation: "r".into(),
            controls: Default::default(),
            waiver: None,
        };
        let mut element = Vec::new();
        write_element(&mut element, &finding).expect("serializes");
        assert!(!element.contains(&END), "the separator cannot occur inside");
        // Byte for byte the element of the whole result's pretty JSON,
        // empty and nested containers included.
        let mut nested = finding.clone();
        nested.evidence.insert(
            "shapes".into(),
            serde_json::json!({"empty": {}, "none": [], "deep": [[{"a": [1, {}]}], []]}),
        );
        for finding in [&finding, &nested] {
            let mut element = Vec::new();
            write_element(&mut element, finding).expect("serializes");
            let whole = serde_json::to_string_pretty(&serde_json::json!({ "findings": [finding] }))
                .expect("json");
            let (start, end) = (
                whole.find("[\n").expect("list") + 2,
                whole.rfind("\n  ]").expect("list end"),
            );
            assert_eq!(
                String::from_utf8(element).expect("utf-8"),
                whole[start..end]
            );
        }
        let back: Finding = serde_json::from_slice(&element).expect("parses");
        assert_eq!(back, finding);
        assert_eq!(
            serde_json::to_string(&back.evidence).expect("json"),
            serde_json::to_string(&finding.evidence).expect("json")
        );
    }

    #[test]
    fn every_float_survives_the_spool() {
        // serde_json parses some shortest-form floats one unit off unless
        // its float_roundtrip feature is on; the account pages and OCSF
        // read findings back from the spool, so they would drift.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut drifted = Vec::new();
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from_bits(state);
            if !value.is_finite() {
                continue;
            }
            let text = serde_json::to_string(&value).expect("json");
            let back: f64 = serde_json::from_str(&text).expect("parses");
            if back.to_bits() != value.to_bits() {
                drifted.push(text);
            }
        }
        assert!(
            drifted.is_empty(),
            "{} drifted, e.g. {:?}",
            drifted.len(),
            drifted.first()
        );
    }
}
