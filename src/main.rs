//! The `volte` command line: parses arguments, calls the library, sets the exit
//! code (0 clean, 1 contradictions found, 2 usage or input error).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use volte::ledger::Kind;
use volte::matcher::{self, Options, Scratch};
use volte::pipeline::{self, RunOptions};
use volte::report::{
    explain::Explanation, github, human, markdown, parts::Parts, sarif, Checks, Report,
};
use volte::{acknowledge, corpus, rulebook, since};

const EXAMPLES: &str = "\
Examples:
  volte check                         check the corpus against the rulebook
  volte explain corpus/article.md     why each sentence of an article makes its claims
  volte timeline mali-junta-trusts-algeria
  volte diff main                     what this branch changed in the report
  volte lint                          check the rulebook
  volte test                          run the rulebook's test cases
  volte add saved-page.txt            bring a raw article into the corpus
  volte report --html report/         a static HTML report with timelines
  volte check --help                  options and examples for one command";

const EXAMPLES_CHECK: &str = "\
Examples:
  volte check                         rules/ and corpus/ found from here upwards
  volte check --format json > report.json
  volte check --window 90             conflicts only within 90 days
  volte check --since origin/main     only what this branch introduced (CI)
  volte check --format github         annotations on a pull request
  volte check --fail-on all           reversals fail the build too
  volte check --rules my/rules --corpus my/articles";

const EXAMPLES_ACKNOWLEDGE: &str = "\
Examples:
  volte acknowledge mali-junta-trusts-algeria \\
    ap-2021-10-algerie-wagner ap-2023-02-influence-algerienne \\
    --reason \"The outlet changed its line in 2022\" --by \"A. Analyst\"
  volte acknowledge PROPOSITION ARTICLE --reason \"...\" --expires 2027-06
    (one article: an internal contradiction)";

const EXAMPLES_TEST: &str = "\
Examples:
  volte test
  volte test --cases rules/tests --rules rules";

const EXAMPLES_LINT: &str = "\
Examples:
  volte lint
  volte lint --deny-warnings          in CI: warnings fail too";

const EXAMPLES_DIFF: &str = "\
Examples:
  volte diff                          against the merge base with the default branch
  volte diff main
  volte diff origin/main --format markdown > comment.md";

const EXAMPLES_EXPLAIN: &str = "\
Examples:
  volte explain corpus/2021-10-algerie-wagner.md
  volte explain corpus/2021-10-algerie-wagner.md --include-comments
  volte explain corpus/2021-10-algerie-wagner.md --format json
  volte explain corpus/2021-10-algerie-wagner.md --line 12
  echo \"Alger ne soutient pas Wagner au Mali.\" | volte explain -";

const EXAMPLES_SUGGEST: &str = "\
Examples:
  volte suggest
  volte suggest mali-junta-trusts-algeria --top 20
  volte suggest --corpus ../articles --format json";

const EXAMPLES_ADD: &str = "\
Examples:
  volte add saved-page.txt                  date, source and title read from the page
  volte add saved-page.html --url https://example.org/2024/03/05/titre/
  pbpaste | volte add - --source \"Le Site\" --date 2024-03
  volte add page.txt --date 2021-10 --id ap-2021-10-wagner
  volte add page.txt --dry-run              print the article, write nothing";

const EXAMPLES_REPORT: &str = "\
Examples:
  volte report --html report/              writes report/index.html
  volte report --html public/ --window 90";

const EXAMPLES_COMPLETIONS: &str = "\
Examples:
  volte completions bash > ~/.local/share/bash-completion/completions/volte
  volte completions zsh > ~/.zfunc/_volte
  volte completions fish > ~/.config/fish/completions/volte.fish";

const EXAMPLES_TIMELINE: &str = "\
Examples:
  volte timeline
  volte timeline mali-junta-trusts-algeria";

/// Find contradictions across dated sources.
///
/// A YAML rulebook (rules/*.yaml) lists the propositions you track and the
/// patterns that assert or deny them; a corpus (corpus/**/*.md) holds dated
/// articles. volte maps every sentence onto the propositions with a stance,
/// lines the stances up by date and reports where sources contradict each
/// other or themselves, quoting the evidence with file:line.
///
/// Exit codes: 0 no contradiction, 1 contradictions found, 2 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "volte", version, about, long_about, max_term_width = 100, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Locations {
    /// Rulebook folder (default: the nearest `rules/` here or above).
    #[arg(long, value_name = "DIR", global = true)]
    rules: Option<PathBuf>,
    /// Corpus folder (default: the nearest `corpus/` here or above).
    #[arg(long, value_name = "DIR", global = true)]
    corpus: Option<PathBuf>,
    /// Where to keep what each article gave, so the next run reads only the
    /// articles that changed (default: `.volte-cache/` beside the rules
    /// folder). Safe to delete.
    #[arg(long, value_name = "DIR", global = true)]
    cache_dir: Option<PathBuf>,
    /// Read every article and neither read nor write the cache.
    #[arg(long, global = true)]
    no_cache: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the corpus against the rulebook and report contradictions.
    ///
    /// Prints, for each proposition, the dated stance of every article that
    /// takes one, then each contradiction with both sentences quoted. Exits 1
    /// when there is a contradiction, so it can gate a merge.
    #[command(after_help = EXAMPLES_CHECK)]
    Check {
        #[command(flatten)]
        at: Locations,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Also read the reader comments (the section after `## Commentaires`).
        #[arg(long)]
        include_comments: bool,
        /// Days within which opposite stances are a `conflict` rather than a
        /// `reversal` (default: the rulebook's `conflict_window_days`, else 180).
        #[arg(long, value_name = "DAYS")]
        window: Option<u32>,
        /// Report and fail only on what changed since this git revision: the
        /// contradictions with an article added or modified since, or that did
        /// not exist then (a rule changed). The old state is read from git.
        #[arg(long, value_name = "REV")]
        since: Option<String>,
        /// The contradiction kinds that fail the build: a comma list of
        /// conflict, reversal, self, internal, or `all` / `none` (default: the
        /// rulebook's `fail_on`, else conflict,self,internal).
        #[arg(long, value_name = "KINDS")]
        fail_on: Option<String>,
        /// The acknowledgements file (default: acknowledged.yaml in the rules
        /// folder; see docs/ci.md).
        #[arg(long, value_name = "FILE")]
        acknowledged: Option<PathBuf>,
    },
    /// What a change did to the report: between a git revision and the working tree.
    ///
    /// Lists the contradictions new and resolved, the claims added and removed,
    /// the acknowledgements gone stale, and for each proposition whose timeline
    /// moved, a unified diff of it. The old state is read from git; the working
    /// tree is not touched. `--format markdown` is made to be posted as a
    /// pull-request comment.
    #[command(after_help = EXAMPLES_DIFF)]
    Diff {
        /// The revision to compare with (default: the merge base with the
        /// default branch, else HEAD).
        rev: Option<String>,
        #[command(flatten)]
        at: Locations,
        /// Output format: `human`, or `markdown` for a pull-request comment.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Also read the reader comments.
        #[arg(long)]
        include_comments: bool,
    },
    /// Check the rulebook: errors (exit 2) and warnings, each with file:line.
    ///
    /// Errors are what stops `volte check` too: YAML mistakes, unknown keys,
    /// duplicate ids, unknown entities, bad regexes, a pattern under both
    /// stances. Warnings are what compiles but is likely wrong: an alias claimed
    /// by two entities, an unused entity, a proposition with one stance only, a
    /// duplicate pattern, a very wide gap.
    #[command(after_help = EXAMPLES_LINT)]
    Lint {
        #[command(flatten)]
        at: Locations,
        /// Exit with 1 when there is a warning.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run the rulebook's test cases (rules/tests/*.yaml) and their variants.
    ///
    /// Each case is a sentence or a short passage and the claims it must make
    /// (or none). Each supporting or opposing case is also turned into
    /// variants from the lexicon (a denial must flip the stance, a hedge must
    /// hedge it). Failures show expected against actual; exit 1 if any.
    #[command(after_help = EXAMPLES_TEST)]
    Test {
        #[command(flatten)]
        at: Locations,
        /// The folder of test cases (default: tests/ in the rules folder).
        #[arg(long, value_name = "DIR")]
        cases: Option<PathBuf>,
    },
    /// Record a contradiction as known and accepted, with a reason.
    ///
    /// Appends an entry to the acknowledgements file (rules/acknowledged.yaml):
    /// the contradiction still shows in reports, marked acknowledged, but no
    /// longer fails the build. `--expires` makes it fail again after a date.
    #[command(after_help = EXAMPLES_ACKNOWLEDGE)]
    Acknowledge {
        /// The proposition id.
        proposition: String,
        /// The two article ids (one for an internal contradiction).
        #[arg(num_args = 1..=2, required = true)]
        articles: Vec<String>,
        /// Why this contradiction is accepted (required).
        #[arg(long)]
        reason: String,
        /// Who accepts it.
        #[arg(long)]
        by: Option<String>,
        /// Stop accepting it after this date (YYYY, YYYY-MM or YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        #[command(flatten)]
        at: Locations,
        /// The acknowledgements file (default: acknowledged.yaml in the rules folder).
        #[arg(long, value_name = "FILE")]
        acknowledged: Option<PathBuf>,
        /// Also read the reader comments.
        #[arg(long)]
        include_comments: bool,
    },
    /// Show each sentence of an article, the claims it makes and why.
    ///
    /// For every sentence: its line, the entities it names (or borrows from
    /// the sentence before), and for each claim the cue, the pattern that
    /// fired, the negation that flipped it and the hedge that softened it.
    /// With `--line`, or a passage on standard input, also the words after
    /// folding and, for each proposition that came close, why it made no
    /// claim (a required actor missing, an `unless`, a question, a
    /// hypothesis).
    #[command(after_help = EXAMPLES_EXPLAIN)]
    Explain {
        /// The article file, or `-` for a passage on standard input (front
        /// matter optional).
        article: PathBuf,
        /// Only the sentence at this line of the article.
        #[arg(long, value_name = "N")]
        line: Option<usize>,
        /// Show the folded words and the near misses for every sentence.
        #[arg(long)]
        why_not: bool,
        #[command(flatten)]
        at: Locations,
        /// Output format: `human`, or `json` (one object for the article:
        /// its sentences, entities and claims).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
        /// Also explain the reader comments.
        #[arg(long)]
        include_comments: bool,
    },
    /// Find the sentences the rulebook misses, and words to catch them with.
    ///
    /// For each proposition, the sentences that name every actor it requires
    /// but match none of its patterns, ranked by the words they share with the
    /// sentences that did make a claim (rare words weigh more); and the words
    /// that recur in them and that no pattern uses yet. Read the top ones,
    /// then `volte explain FILE --line N` to see why one is missed.
    #[command(after_help = EXAMPLES_SUGGEST)]
    Suggest {
        /// A proposition id (default: all of them).
        proposition: Option<String>,
        #[command(flatten)]
        at: Locations,
        /// How many sentences to show per proposition.
        #[arg(long, value_name = "N", default_value_t = 5)]
        top: usize,
        /// Output format: `human` or `json`.
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
        /// Also read the reader comments.
        #[arg(long)]
        include_comments: bool,
    },
    /// Show the stance of each article over time, for one or every proposition.
    #[command(after_help = EXAMPLES_TIMELINE)]
    Timeline {
        /// A proposition id (default: all of them).
        proposition: Option<String>,
        #[command(flatten)]
        at: Locations,
        /// Output format: `human`, or `json` (the propositions of the JSON
        /// report, each with its timeline).
        #[arg(long, value_enum, default_value_t = Format::Human, hide_possible_values = true)]
        format: Format,
        /// Also read the reader comments.
        #[arg(long)]
        include_comments: bool,
    },
    /// Bring a raw article into the corpus, with front matter, then check it.
    ///
    /// Reads a saved page (plain text, Markdown or HTML) and writes
    /// corpus/ID.md: front matter (id, date, source, title, url), the title as
    /// a heading, the body without page furniture (weather, the day's date,
    /// menus, "latest news"), and the reader comments (after a line such as
    /// "12 commentaires") moved under the comments heading, where `check`
    /// leaves them out. The date is the publication date found in the page,
    /// at the precision found: a leading ` date 2024-01` marker, a
    /// "Publié le …" line, the URL, or a date line under the title. A date in
    /// the site's header above the title (the day the page was viewed) or in
    /// the text (an event) is not used: without a publication date volte asks
    /// for --date and exits 2. It never overwrites a file. Then it runs
    /// `check` and prints what the new article contradicts (exit 1 when that
    /// fails the build, as `check`).
    #[command(after_help = EXAMPLES_ADD)]
    Add {
        /// The raw article: a file, or `-` for standard input.
        input: PathBuf,
        /// The outlet (default: the page's site name, the URL's domain, or a
        /// byline such as "Source : AFP").
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// The publication date, YYYY, YYYY-MM or YYYY-MM-DD, at the
        /// precision you know; replaces any date found in the page.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The article id, also its file name (default: the date and the
        /// first words of the title, e.g. 2024-01-plan-secret-alger).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// The title (default: the page's title line, else the start of the
        /// first sentence).
        #[arg(long, value_name = "TEXT")]
        title: Option<String>,
        /// The page's address, recorded as `url:`; a date in its path and its
        /// domain are used when the page gives none.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The article's language (default: guessed from its words among the
        /// lexicons; written only when it differs from the rulebook's).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// Replace the file if it exists (it is never replaced otherwise).
        #[arg(long)]
        force: bool,
        /// Print the article to standard output; write nothing, check nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        at: Locations,
    },
    /// Write a self-contained HTML report: timelines, contradictions, summary.
    ///
    /// One file, DIR/index.html, with its CSS and SVG inline and nothing
    /// fetched from the network: a summary table, then for each proposition
    /// a timeline chart (one lane per source; hedged stances drawn hollow;
    /// contradictions drawn as links between the two points) and each
    /// contradiction with its two sentences side by side, their differing
    /// words highlighted. Readable on a phone. Exits 0 once written.
    #[command(after_help = EXAMPLES_REPORT)]
    Report {
        /// The folder to write index.html into (created if missing).
        #[arg(long, value_name = "DIR", required = true)]
        html: PathBuf,
        #[command(flatten)]
        at: Locations,
        /// Also read the reader comments.
        #[arg(long)]
        include_comments: bool,
        /// Days within which opposite stances are a `conflict` (default: the
        /// rulebook's `conflict_window_days`, else 180).
        #[arg(long, value_name = "DAYS")]
        window: Option<u32>,
        /// The acknowledgements file (default: acknowledged.yaml in the rules folder).
        #[arg(long, value_name = "FILE")]
        acknowledged: Option<PathBuf>,
    },
    /// Print a shell completion script for volte.
    #[command(after_help = EXAMPLES_COMPLETIONS)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print volte's man page (roff), made from this command line.
    ///
    /// `volte man > volte.1 && man ./volte.1`, or install it under
    /// /usr/local/share/man/man1/.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Grouped by proposition, for a terminal or a CI log.
    Human,
    /// The versioned JSON contract (docs/json.md).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// For a terminal or a CI log.
    Human,
    /// For a pull-request comment: a summary line, the details folded.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Grouped by proposition, for a terminal or a CI log.
    Human,
    /// The versioned JSON contract (docs/json.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request's files.
    Github,
    /// Markdown, for a pull-request comment or a job summary.
    Markdown,
}

fn main() -> ExitCode {
    steady_allocator();
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| run(cli));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            let _ = writeln!(anstream::stderr(), "{}: {error:#}", error_label());
            if let Some(snippet) = rule_snippet(&error) {
                let _ = writeln!(anstream::stderr(), "{snippet}");
            }
            ExitCode::from(2)
        }
        Err(_) => {
            let _ = writeln!(
                anstream::stderr(),
                "{}: volte crashed (a bug: please report it with the command you ran); no report was produced",
                error_label()
            );
            ExitCode::from(2)
        }
    }
}

/// A snippet of the rule file under an error found after parsing (YAML
/// errors bring their own).
fn rule_snippet(error: &anyhow::Error) -> Option<String> {
    let volte::Error::Rule {
        path,
        line,
        column,
        message,
    } = error.downcast_ref::<volte::Error>()?
    else {
        return None;
    };
    if message.contains("\n") {
        return None;
    }
    let text = volte::fsutil::read_text(path).ok()?;
    volte::error::snippet(path, &text, *line, *column)
}

fn warning_label() -> String {
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    format!("{style}warning{style:#}")
}

/// Says on standard error which files of the corpus were passed over, and why.
fn notice_skipped(skipped: &[corpus::Skipped]) {
    let mut err = anstream::stderr().lock();
    let label = anstyle::AnsiColor::Yellow.on_default().bold();
    for s in skipped {
        let _ = writeln!(err, "{label}notice{label:#}: {s}");
    }
}

fn error_label() -> String {
    let style = anstyle::AnsiColor::Red.on_default().bold();
    format!("{style}error{style:#}")
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Add {
            input,
            source,
            date,
            id,
            title,
            url,
            lang,
            force,
            dry_run,
            at,
        } => add(AddArgs {
            input,
            source,
            date,
            id,
            title,
            url,
            lang,
            force,
            dry_run,
            at,
        }),
        Command::Report {
            html,
            at,
            include_comments,
            window,
            acknowledged,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let options = run_options(&at, &rules, include_comments, window);
            let run = run_pipeline(&rules, &corpus_dir, &options)?;
            let acks = load_acknowledgements(&rules, acknowledged.as_deref(), &run)?;
            let checks = Checks {
                acknowledgements: Some(&acks),
                today: Some(jiff::Zoned::now().date()),
                ..Checks::default()
            };
            let report = Report::checked(&run, &checks);
            let page = volte::report::html::render(&report);
            std::fs::create_dir_all(&html)
                .with_context(|| format!("{}: cannot create the folder", html.display()))?;
            let path = html.join("index.html");
            volte::atomic::write(&path, page.as_bytes())?;
            let _ = writeln!(
                anstream::stderr(),
                "wrote {}: {}, {}, {} failing",
                corpus::display_path(&path).display(),
                human::plural(report.propositions.len(), "proposition"),
                human::plural(report.contradictions.len(), "contradiction"),
                report.summary.failing
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command, "volte", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .context("rendering the man page")?;
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            at,
            format,
            include_comments,
            window,
            since,
            fail_on,
            acknowledged,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let mut options = run_options(&at, &rules, include_comments, window);
            // The report a proposition at a time asks for the kept claims
            // of the propositions it judges again; the others read them all.
            let by_parts = format == CheckFormat::Human && since.is_none();
            options.lazy = by_parts;
            let mut run = run_pipeline(&rules, &corpus_dir, &options)?;
            let acks = load_acknowledgements(&rules, acknowledged.as_deref(), &run)?;
            let introduced = match &since {
                Some(rev) => {
                    let base = since::baseline(rev, &rules, &corpus_dir, &run, &options)?;
                    if let Some(e) = &base.old_error {
                        let _ = writeln!(
                            anstream::stderr(),
                            "warning: the rulebook at {rev} does not load ({e}); every contradiction counts as new"
                        );
                    }
                    Some((rev.clone(), since::introduced(&run, &base)))
                }
                None => None,
            };
            let checks = Checks {
                acknowledgements: Some(&acks),
                today: Some(jiff::Zoned::now().date()),
                fail_on: fail_on
                    .as_deref()
                    .map(Kind::parse_list)
                    .transpose()
                    .map_err(anyhow::Error::msg)?,
                introduced,
                without_claims: format == CheckFormat::Human,
            };
            if by_parts {
                // A proposition at a time: the whole report is never held.
                let phase = volte::timings::phase("report");
                let mut parts = options.cache.as_deref().map(Parts::open);
                let summary =
                    write_stdout(|w| human::write_run(&mut run, &checks, parts.as_mut(), w))?;
                drop(phase);
                for warning in parts.iter().flat_map(|p| &p.warnings) {
                    let _ = writeln!(anstream::stderr(), "{}: {warning}", warning_label());
                }
                std::mem::forget(run);
                return Ok(if summary.failing > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                });
            }
            let phase = volte::timings::phase("report");
            let mut report = Report::checked(&run, &checks);
            drop(phase);
            let phase = volte::timings::phase("render");
            if matches!(format, CheckFormat::Sarif | CheckFormat::Github) {
                // Code scanning and annotations want paths from the repository root.
                if let Ok(repo) = volte::git::Repo::discover(&corpus_dir) {
                    report.rebase_paths(|p| {
                        repo.relative(Path::new(p)).unwrap_or_else(|| p.to_string())
                    });
                }
            }
            match format {
                CheckFormat::Human => write_stdout(|w| human::write(&report, w))?,
                CheckFormat::Json => write_stdout(|w| report.write_json(w))?,
                CheckFormat::Sarif => print(&sarif::render(&report)?)?,
                CheckFormat::Github => print(&github::render(&report))?,
                CheckFormat::Markdown => print(&markdown::render(&report))?,
            }
            drop(phase);
            let failing = report.summary.failing;
            // The process ends here: the system takes back the claims and the
            // report at once, faster than freeing them one by one.
            std::mem::forget(report);
            std::mem::forget(run);
            Ok(if failing > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Test { at, cases } => {
            let rules = rules_dir(&at)?;
            let rulebook = rulebook::load(&rules)?;
            let dir = cases.unwrap_or_else(|| rules.join("tests"));
            let cases = volte::casebook::load(&dir, &rulebook)?;
            if cases.is_empty() {
                anyhow::bail!(
                    "{}: no test cases (*.yaml); see docs/rulebook.md, \"Testing rules\"",
                    dir.display()
                );
            }
            let outcome = volte::casebook::run(&rulebook, &cases)?;
            use std::fmt::Write as _;
            let mut out = String::new();
            for f in &outcome.failures {
                let _ = writeln!(
                    out,
                    "FAIL {}:{} [{}]\n  « {} »\n  expected: {}\n  actual:   {}\n",
                    f.case.path.display(),
                    f.case.line,
                    f.variant,
                    volte::text::sentences::display(&f.text),
                    f.expected,
                    f.actual
                );
            }
            let total = outcome.cases + outcome.variants;
            let failed = outcome.failures.len();
            let _ = writeln!(
                out,
                "volte test: {} and {}",
                volte::report::human::plural(outcome.cases, "case"),
                volte::report::human::plural(outcome.variants, "variant")
            );
            let _ = writeln!(out, "{} passed, {failed} failed", total - failed);
            print(&out)?;
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Lint { at, deny_warnings } => {
            let rules = rules_dir(&at)?;
            let rulebook = rulebook::load(&rules)?;
            let warnings = volte::lint::lint(&rulebook);
            let mut err = anstream::stderr().lock();
            let label = anstyle::AnsiColor::Yellow.on_default().bold();
            // The lines of each rule file, read once however many warnings it has.
            let mut lines: std::collections::HashMap<PathBuf, Vec<String>> = Default::default();
            for w in &warnings {
                let _ = writeln!(
                    err,
                    "{label}warning{label:#}: {}: {}",
                    w.location, w.message
                );
                let file = lines.entry(w.location.path.clone()).or_insert_with(|| {
                    volte::fsutil::read_text(&w.location.path)
                        .map(|t| t.lines().map(str::to_owned).collect())
                        .unwrap_or_default()
                });
                let source = usize::try_from(w.location.line)
                    .ok()
                    .and_then(|l| file.get(l.checked_sub(1)?));
                if let Some(snippet) = source.and_then(|source| {
                    volte::error::snippet_of_line(
                        &w.location.path,
                        source,
                        w.location.line,
                        w.location.column,
                    )
                }) {
                    let _ = writeln!(err, "{snippet}");
                }
            }
            let files = volte::report::human::plural(rulebook.files.len(), "rule file");
            let props = volte::report::human::plural(rulebook.propositions.len(), "proposition");
            let _ = writeln!(
                err,
                "volte lint: {files}, {props}, {}",
                volte::report::human::plural(warnings.len(), "warning")
            );
            Ok(if deny_warnings && !warnings.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Diff {
            rev,
            at,
            format,
            include_comments,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let options = run_options(&at, &rules, include_comments, None);
            let run = run_pipeline(&rules, &corpus_dir, &options)?;
            let rev = match rev {
                Some(rev) => rev,
                None => {
                    let base = volte::git::Repo::discover(&corpus_dir)?.default_base()?;
                    base.chars().take(12).collect()
                }
            };
            let base = since::baseline(&rev, &rules, &corpus_dir, &run, &options)?;
            let Some(old_run) = &base.old else {
                anyhow::bail!(
                    "cannot read the state at {rev}: {}",
                    base.old_error.as_deref().unwrap_or("unknown error")
                );
            };
            let acks = load_acknowledgements(&rules, None, &run)?;
            let checks = Checks {
                acknowledgements: Some(&acks),
                today: Some(jiff::Zoned::now().date()),
                ..Checks::default()
            };
            let new = Report::checked(&run, &checks);
            let old = Report::new(old_run);
            let diff = volte::report::diff::Diff {
                rev: rev.clone(),
                old: &old,
                new: &new,
            };
            let text = match format {
                DiffFormat::Human => diff.render_human(),
                DiffFormat::Markdown => diff.render_markdown(),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Acknowledge {
            proposition,
            articles,
            reason,
            by,
            expires,
            at,
            acknowledged,
            include_comments,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let options = run_options(&at, &rules, include_comments, None);
            let run = run_pipeline(&rules, &corpus_dir, &options)?;
            let (a, b) = match articles.as_slice() {
                [a] => (a.clone(), a.clone()),
                [a, b, ..] => (a.clone(), b.clone()),
                [] => anyhow::bail!("name the articles of the contradiction"),
            };
            let report = Report::new(&run);
            let found = report.contradictions.iter().find(|c| {
                *c.proposition == *proposition
                    && acknowledge::pair(&c.a.article, &c.b.article) == acknowledge::pair(&a, &b)
            });
            let Some(found) = found else {
                anyhow::bail!(
                    "no contradiction on `{proposition}` between `{a}` and `{b}` in the current report; `volte check` lists them"
                );
            };
            // One line: the reason is written as a quoted YAML scalar.
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            if reason.is_empty() {
                anyhow::bail!("--reason is empty: say why this contradiction is accepted");
            }
            let path = acknowledged.unwrap_or_else(|| rules.join(acknowledge::FILE_NAME));
            let entry = acknowledge::Acknowledgement {
                proposition: proposition.clone(),
                articles: acknowledge::pair(&a, &b),
                reason: reason.trim().to_string(),
                by,
                date: corpus::PartialDate::parse(&jiff::Zoned::now().date().to_string()).ok(),
                expires: expires
                    .as_deref()
                    .map(corpus::PartialDate::parse)
                    .transpose()
                    .map_err(|m| anyhow::anyhow!("--expires: {m}"))?,
                line: 0,
            };
            acknowledge::append(&path, &entry)?;
            let _ = writeln!(
                anstream::stderr(),
                "acknowledged the {} on {proposition} between {a} and {b} in {}",
                found.kind.as_str(),
                corpus::display_path(&path).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain {
            article,
            line,
            why_not,
            at,
            format,
            include_comments,
        } => {
            let rules = rules_dir(&at)?;
            let rulebook = rulebook::load(&rules)?;
            let stdin = article.as_os_str() == "-";
            // Lines added in front of a passage given without front matter.
            let mut added_lines = 0;
            let article = if stdin {
                let mut text = String::new();
                let limit = corpus::MAX_ARTICLE_BYTES;
                std::io::Read::read_to_string(
                    &mut std::io::Read::take(std::io::stdin(), limit + 1),
                    &mut text,
                )
                .context("reading the passage from standard input")?;
                if text.len() as u64 > limit {
                    anyhow::bail!(
                        "standard input: over the limit of {} MB for one article",
                        limit / 1_048_576
                    );
                }
                if !text.trim_start().starts_with("---") {
                    // Undated text is read as of today (dated aliases).
                    let today = jiff::Zoned::now().date();
                    text = format!("---\nid: stdin\ndate: {today}\n---\n{text}\n");
                    added_lines = 4;
                }
                corpus::parse_article(article.clone(), text, &rulebook.language)?
            } else {
                corpus::read_article(&article, &rulebook.language)?
            };
            let options = Options {
                include_comments,
                detail: true,
                full_scan: true,
            };
            let analysis =
                matcher::analyze(0, &article, &rulebook, options, &mut Scratch::default())?;
            let mut explanation = Explanation::new(&article, &analysis, &rulebook);
            for s in &mut explanation.sentences {
                s.line -= added_lines;
            }
            if let Some(n) = line {
                explanation
                    .keep_line(n)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", article.path.display()))?;
            }
            let text = match format {
                Format::Human => explanation.render(why_not || stdin || line.is_some()),
                Format::Json => format!("{}\n", serde_json::to_string_pretty(&explanation)?),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest {
            proposition,
            at,
            top,
            format,
            include_comments,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let rulebook = rulebook::load(&rules)?;
            let corpus = corpus::load(&corpus_dir, &rulebook.language)?;
            notice_skipped(&corpus.skipped);
            let articles = corpus.articles;
            let only = match &proposition {
                None => None,
                Some(id) => Some(
                    rulebook
                        .propositions
                        .iter()
                        .position(|p| p.id == *id)
                        .ok_or_else(|| unknown_proposition(&rulebook, id))?,
                ),
            };
            let limits = volte::missed::Limits {
                candidates: top,
                cue_words: 12,
            };
            let found =
                volte::missed::suggest(&rulebook, &articles, include_comments, only, limits)?;
            let text = match format {
                Format::Human => found.render(),
                Format::Json => format!("{}\n", serde_json::to_string_pretty(&found)?),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Timeline {
            proposition,
            at,
            format,
            include_comments,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let options = run_options(&at, &rules, include_comments, None);
            let run = run_pipeline(&rules, &corpus_dir, &options)?;
            if let Some(id) = &proposition {
                if run.rulebook.proposition(id).is_none() {
                    return Err(unknown_proposition(&run.rulebook, id));
                }
            }
            let report = Report::new(&run);
            let text = match format {
                Format::Human => human::render_timelines(&report, proposition.as_deref()),
                Format::Json => {
                    let chosen: Vec<_> = report
                        .propositions
                        .iter()
                        .filter(|p| proposition.as_deref().is_none_or(|id| p.id == id))
                        .collect();
                    format!("{}\n", serde_json::to_string_pretty(&chosen)?)
                }
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

struct AddArgs {
    input: PathBuf,
    source: Option<String>,
    date: Option<String>,
    id: Option<String>,
    title: Option<String>,
    url: Option<String>,
    lang: Option<String>,
    force: bool,
    dry_run: bool,
    at: Locations,
}

/// `volte add`: read, prepare, write (never over an article), then check.
fn add(args: AddArgs) -> Result<ExitCode> {
    let stdin = args.input.as_os_str() == "-";
    let shown = if stdin {
        "standard input".to_string()
    } else {
        args.input.display().to_string()
    };
    let bytes = if stdin {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("reading the article from standard input")?;
        bytes
    } else {
        std::fs::read(&args.input).map_err(|e| volte::Error::io(&args.input, e))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{shown}: not valid UTF-8 (byte {}); save the page as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        anyhow::bail!("{shown}: empty: there is no article to add");
    }
    let date = args
        .date
        .as_deref()
        .map(corpus::PartialDate::parse)
        .transpose()
        .map_err(|m| anyhow::anyhow!("--date {m}"))?;
    if let Some(id) = &args.id {
        if !volte::add::valid_id(id) {
            anyhow::bail!(
                "--id `{id}`: use letters, digits, `-`, `_` and `.` only (it is the file name)"
            );
        }
    }
    let (rules, corpus_dir) = locate(&args.at)?;
    if !stdin {
        // A raw page left in the corpus would be read as an article without
        // front matter, and stop every `check`.
        let inside = match (args.input.canonicalize(), corpus_dir.canonicalize()) {
            (Ok(file), Ok(dir)) => file.starts_with(dir),
            _ => false,
        };
        let name = args
            .input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if inside && name.as_deref().is_some_and(corpus::is_article_name) {
            anyhow::bail!(
                "{shown}: the raw page is inside the corpus folder, where every .md and .txt file is read as an article; move it out first"
            );
        }
    }
    let rulebook = rulebook::load(&rules)?;
    if let Some(lang) = &args.lang {
        if rulebook.lexicons.get(lang).is_none() {
            anyhow::bail!(
                "--lang {lang}: no lexicon for it (have: {})",
                rulebook.lexicons.languages().collect::<Vec<_>>().join(", ")
            );
        }
    }
    let request = volte::add::Request {
        text,
        url: args.url,
        source: args.source,
        date,
        id: args.id,
        title: args.title,
        lang: args.lang,
    };
    let draft = volte::add::prepare(&request, &rulebook.lexicons, &rulebook.language);
    {
        let mut err = anstream::stderr().lock();
        for note in &draft.notes {
            let label = match note.level {
                volte::add::Level::Warning => {
                    let style = anstyle::AnsiColor::Yellow.on_default().bold();
                    format!("{style}warning{style:#}")
                }
                volte::add::Level::Info => {
                    let style = anstyle::Style::new().dimmed();
                    format!("{style}note{style:#}")
                }
            };
            let _ = writeln!(err, "{label}: {shown}: {}", note.message);
        }
    }
    if draft.date.is_none() {
        anyhow::bail!("{}", draft.missing_date(&shown));
    }
    let path = corpus_dir.join(draft.file_name());
    let text = draft.render();
    // What is written must read back as an article.
    corpus::parse_article(
        corpus::display_path(&path),
        text.clone(),
        &rulebook.language,
    )?;
    if args.dry_run {
        print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let exists_message = || {
        anyhow::anyhow!(
            "{}: already exists; volte never overwrites an article (pass --id for another name, or --force to replace it)",
            corpus::display_path(&path).display()
        )
    };
    if !args.force && path.exists() {
        return Err(exists_message());
    }
    let existing = corpus::load_all(&corpus_dir, &rulebook.language)?.articles;
    let same_path = |a: &corpus::Article| {
        std::path::absolute(&a.path).ok() == std::path::absolute(corpus::display_path(&path)).ok()
    };
    if let Some(other) = existing
        .iter()
        .find(|a| a.id() == draft.id && !(args.force && same_path(a)))
    {
        anyhow::bail!(
            "{}: the id `{}` is already taken by {}; pass --id to choose another",
            corpus::display_path(&path).display(),
            draft.id,
            other.path.display()
        );
    }
    if args.force {
        volte::atomic::write(&path, text.as_bytes())?;
    } else if !volte::atomic::create_new(&path, text.as_bytes())? {
        return Err(exists_message());
    }
    let _ = writeln!(
        anstream::stderr(),
        "added {} ({}, {}{})",
        corpus::display_path(&path).display(),
        draft.id,
        draft.date.map(|d| d.to_string()).unwrap_or_default(),
        draft
            .source
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );

    // What it contradicts.
    let run = pipeline::run(&rules, &corpus_dir, &RunOptions::default())?;
    notice_skipped(&run.skipped);
    let acks = load_acknowledgements(&rules, None, &run)?;
    let checks = Checks {
        acknowledgements: Some(&acks),
        today: Some(jiff::Zoned::now().date()),
        ..Checks::default()
    };
    let report = Report::checked(&run, &checks);
    let mine: Vec<_> = report
        .contradictions
        .iter()
        .filter(|c| *c.a.article == *draft.id || *c.b.article == *draft.id)
        .collect();
    let claims = report
        .claims
        .iter()
        .filter(|c| *c.article == *draft.id)
        .count();
    let failing = mine.iter().filter(|c| c.fails).count();
    let mut out = human::render_article(&report, &draft.id);
    out.push_str(&format!(
        "volte add: {} makes {}: {}, {failing} failing\n",
        draft.id,
        human::plural(claims, "claim"),
        human::plural(mine.len(), "contradiction")
    ));
    print(&out)?;
    Ok(if failing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn unknown_proposition(rulebook: &rulebook::Rulebook, id: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "no proposition `{id}` in the rulebook{}; `volte timeline` lists them all",
        rulebook.proposition_hint(id)
    )
}

/// Writes to stdout, through anstream so colour is dropped when piped or under
/// NO_COLOR. A closed pipe (`volte check | head`) is not an error. Text with no
/// escape sequence (JSON, SARIF, an uncoloured report) goes straight out.
/// Writes a long report to standard output as `render` produces it, through
/// a buffer. Colour is decided once: on a terminal the codes pass, otherwise
/// the renderer writes none, and an escape sequence quoted from an article is
/// stripped as `print` would.
fn write_stdout<T>(
    render: impl FnOnce(&mut dyn volte::report::parts::Output) -> std::io::Result<T>,
) -> Result<T> {
    hold_interrupts();
    let stdout = std::io::stdout();
    let choice = anstream::AutoStream::choice(&stdout);
    let plain = choice == anstream::ColorChoice::Never;
    human::set_plain(plain);
    let sink = if plain {
        Sink::Plain(stdout.lock(), None)
    } else {
        Sink::Color(anstream::AutoStream::new(stdout.lock(), choice))
    };
    let mut out = UntilClosed {
        out: std::io::BufWriter::with_capacity(1 << 16, sink),
        closed: false,
        direct: takes_files(&stdout),
    };
    let result = render(&mut out).and_then(|value| out.flush().map(|()| value));
    result.context("writing the report to standard output")
}

/// glibc's allocator raises its mmap threshold each time a large block is
/// freed, up to 32 MB, so the report's per-proposition vectors (a few
/// megabytes each, made and dropped in turn) end up in the heap among the
/// claims, and the holes they leave are never given back: 20-30 MB more peak
/// memory at a million articles. A fixed threshold (as glibc has before its
/// first adjustment) keeps large blocks mapped on their own. Fixing it fixes
/// the trim threshold too, which is set high enough that the workers' heaps
/// are not shrunk and grown again for every article (128 KB, glibc's
/// default, costs 13% more time).
fn steady_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called before
    // any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    }
}

/// From here on, Ctrl-C (or a plain `kill`) no longer stops volte: the
/// report being written is finished, so the reader gets it whole or, when
/// the signal came before, not at all. Before this point the signal ends the
/// run as usual.
fn hold_interrupts() {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The flag is not read: registering is what holds the signal off.
        let held = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _ = signal_hook::flag::register(signal, held);
    }
}

/// A writer that takes the reader closing the pipe (`volte check | head`) as
/// the end of output, not an error: the rest is rendered and dropped, so the
/// run still ends with its exit code.
struct UntilClosed<W> {
    out: W,
    closed: bool,
    /// The output takes a file's bytes from the kernel ([`takes_files`]).
    direct: bool,
}

/// Whether standard output is where the kernel copies a file's bytes
/// itself: a file not opened to append to (`copy_file_range`), or
/// `/dev/null` (`sendfile`). Elsewhere (a pipe, a terminal, `>>`, or a
/// system where `std::io::copy` has no such path) the standard library would
/// copy them 4 to 8 KB at a time, fewer bytes per write than volte's own
/// buffer: at 1 GB, 31,000 writes where volte makes 2,000.
fn takes_files(stdout: &std::io::Stdout) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::fd::{AsFd, AsRawFd};
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let Ok(fd) = stdout.as_fd().try_clone_to_owned() else {
            return false;
        };
        // SAFETY: F_GETFL only reads the status flags of a descriptor this
        // function owns (a copy of standard output's, sharing its flags).
        let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
        if flags < 0 || flags & libc::O_APPEND != 0 {
            return false;
        }
        let Ok(meta) = std::fs::File::from(fd).metadata() else {
            return false;
        };
        let kind = meta.file_type();
        let null = || std::fs::metadata("/dev/null").is_ok_and(|null| null.rdev() == meta.rdev());
        kind.is_file() || (kind.is_char_device() && null())
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = stdout;
        false
    }
}

impl<W: Write> UntilClosed<W> {
    fn closing<T>(&mut self, result: std::io::Result<T>, done: T) -> std::io::Result<T> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for UntilClosed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.out.write(buf);
        self.closing(result, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.out.flush();
        self.closing(result, ())
    }
}

/// A kept part of the report goes from its file to standard output without
/// passing through volte, when standard output is a file (or `/dev/null`),
/// no colour is wanted and no escape byte has had to be stripped so far
/// (the part says whether it holds one).
impl volte::report::parts::Output for UntilClosed<std::io::BufWriter<Sink>> {
    fn write_from(&mut self, file: &mut std::fs::File, len: u64) -> std::io::Result<bool> {
        if self.closed {
            return Ok(true);
        }
        if !self.direct || !matches!(self.out.get_ref(), Sink::Plain(..)) {
            return Ok(false);
        }
        // What is buffered reaches the sink first: an escape byte in it
        // starts the stripping, which then goes on to the end.
        let flushed = self.out.flush();
        self.closing(flushed, ())?;
        if self.closed {
            return Ok(true);
        }
        let Sink::Plain(out, None) = self.out.get_mut() else {
            return Ok(false);
        };
        let result = (|| {
            let copied = std::io::copy(&mut std::io::Read::take(file, len), out)?;
            match copied == len {
                true => Ok(()),
                false => Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("a part ends {} bytes early", len - copied),
                )),
            }
        })();
        self.closing(result, ()).map(|()| true)
    }
}

/// Standard output for [`write_stdout`]. Without colour, bytes go straight
/// out until the first escape sequence; from there on everything passes the
/// stripper, which keeps its state across writes.
enum Sink {
    Color(anstream::AutoStream<std::io::StdoutLock<'static>>),
    Plain(
        std::io::StdoutLock<'static>,
        Option<anstream::adapter::StripBytes>,
    ),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Color(out) => out.write(buf),
            Sink::Plain(out, strip) => {
                if strip.is_none() && memchr::memchr(0x1b, buf).is_some() {
                    *strip = Some(anstream::adapter::StripBytes::new());
                }
                match strip {
                    None => out.write(buf),
                    Some(strip) => {
                        for piece in strip.strip_next(buf) {
                            out.write_all(piece)?;
                        }
                        Ok(buf.len())
                    }
                }
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Color(out) => out.flush(),
            Sink::Plain(out, _) => out.flush(),
        }
    }
}

fn print(text: &str) -> Result<()> {
    hold_interrupts();
    let result = if memchr::memchr(0x1b, text.as_bytes()).is_none() {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    } else {
        let mut out = anstream::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report to standard output"),
    }
}

/// The acknowledgements file: `given`, which must exist, or the one in the
/// rules folder, which may not. Every entry must name a proposition of the
/// rulebook, so a typo is an error rather than a "stale" warning.
fn load_acknowledgements(
    rules: &Path,
    given: Option<&Path>,
    run: &pipeline::Run,
) -> Result<acknowledge::Acknowledgements> {
    let path = match given {
        Some(path) if !path.is_file() => {
            anyhow::bail!(
                "{}: no such acknowledgements file (given with --acknowledged)",
                path.display()
            )
        }
        Some(path) => path.to_path_buf(),
        None => rules.join(acknowledge::FILE_NAME),
    };
    let acks = acknowledge::load(&path)?;
    for entry in &acks.entries {
        if run.rulebook.proposition(&entry.proposition).is_none() {
            let hint = run.rulebook.proposition_hint(&entry.proposition);
            anyhow::bail!(
                "{}:{}:1: unknown proposition `{}`{hint}",
                acks.path.display(),
                entry.line,
                entry.proposition
            );
        }
    }
    Ok(acks)
}

/// Runs the pipeline and says on stderr what the user should know about it.
fn run_pipeline(rules: &Path, corpus_dir: &Path, options: &RunOptions) -> Result<pipeline::Run> {
    let run = pipeline::run(rules, corpus_dir, options)?;
    notice_skipped(&run.skipped);
    for warning in &run.warnings {
        let _ = writeln!(anstream::stderr(), "{}: {warning}", warning_label());
    }
    Ok(run)
}

/// The options of a run from the command line: comments, the conflict window
/// and the cache folder.
fn run_options(
    at: &Locations,
    rules: &Path,
    include_comments: bool,
    window_days: Option<u32>,
) -> RunOptions {
    RunOptions {
        include_comments,
        window_days,
        cache: cache_dir(at, rules),
        ..Default::default()
    }
}

/// The cache folder for a run, or `None` with `--no-cache`.
fn cache_dir(at: &Locations, rules: &Path) -> Option<PathBuf> {
    if at.no_cache {
        return None;
    }
    let beside_rules = || {
        let absolute = std::path::absolute(rules).unwrap_or_else(|_| rules.to_path_buf());
        absolute
            .parent()
            .map_or_else(|| PathBuf::from(".volte-cache"), |p| p.join(".volte-cache"))
    };
    Some(at.cache_dir.clone().unwrap_or_else(beside_rules))
}

fn locate(at: &Locations) -> Result<(PathBuf, PathBuf)> {
    Ok((rules_dir(at)?, folder(at.corpus.as_deref(), "corpus")?))
}

fn rules_dir(at: &Locations) -> Result<PathBuf> {
    folder(at.rules.as_deref(), "rules")
}

fn folder(given: Option<&Path>, name: &str) -> Result<PathBuf> {
    match given {
        Some(dir) if dir.is_dir() => Ok(dir.to_path_buf()),
        Some(dir) => anyhow::bail!("{}: no such folder (given with --{name})", dir.display()),
        None => {
            let cwd = std::env::current_dir().context("reading the current directory")?;
            pipeline::discover(&cwd, name).with_context(|| {
                format!("no `{name}/` folder in {} or any folder above it; run volte inside your project or pass --{name} DIR", cwd.display())
            })
        }
    }
}
