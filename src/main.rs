//! The `volte` command line: parses arguments, calls the library, sets the exit
//! code (0 clean, 1 contradictions found, 2 usage or input error).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use volte::matcher::{self, Options, Scratch};
use volte::pipeline::{self, RunOptions};
use volte::report::{explain::Explanation, human, Report};
use volte::{corpus, rulebook};

const EXAMPLES: &str = "\
Examples:
  volte check                         check the corpus against the rulebook
  volte explain corpus/article.md     why each sentence of an article makes its claims
  volte timeline mali-junta-trusts-algeria
  volte check --help                  options and examples for one command";

const EXAMPLES_CHECK: &str = "\
Examples:
  volte check                         rules/ and corpus/ found from here upwards
  volte check --format json > report.json
  volte check --window 90             conflicts only within 90 days
  volte check --rules my/rules --corpus my/articles";

const EXAMPLES_EXPLAIN: &str = "\
Examples:
  volte explain corpus/2021-10-algerie-wagner.md
  volte explain corpus/2021-10-algerie-wagner.md --include-comments
  volte explain corpus/2021-10-algerie-wagner.md --format json";

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
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also read the reader comments (the section after `## Commentaires`).
        #[arg(long)]
        include_comments: bool,
        /// Days within which opposite stances are a `conflict` rather than a
        /// `reversal` (default: the rulebook's `conflict_window_days`, else 180).
        #[arg(long, value_name = "DAYS")]
        window: Option<u32>,
    },
    /// Show each sentence of an article, the claims it makes and why.
    ///
    /// For every sentence: its line, the entities it names (or borrows from
    /// the sentence before), and for each claim the cue, the pattern that
    /// fired, the negation that flipped it and the hedge that softened it.
    #[command(after_help = EXAMPLES_EXPLAIN)]
    Explain {
        /// The article file.
        article: PathBuf,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Grouped by proposition, for a terminal or a CI log.
    Human,
    /// The versioned JSON contract (docs/json.md).
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| run(cli));
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(error)) => {
            let _ = writeln!(anstream::stderr(), "{}: {error:#}", error_label());
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

fn error_label() -> String {
    let style = anstyle::AnsiColor::Red.on_default().bold();
    format!("{style}error{style:#}")
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check {
            at,
            format,
            include_comments,
            window,
        } => {
            let (rules, corpus_dir) = locate(&at)?;
            let options = RunOptions {
                include_comments,
                window_days: window,
            };
            let run = pipeline::run(&rules, &corpus_dir, &options)?;
            let report = Report::new(&run);
            let text = match format {
                Format::Human => human::render(&report),
                Format::Json => report.to_json()?,
            };
            print(&text)?;
            Ok(if report.summary.unacknowledged > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Explain {
            article,
            at,
            format,
            include_comments,
        } => {
            let rules = rules_dir(&at)?;
            let rulebook = rulebook::load(&rules)?;
            let article = corpus::read_article(&article, &rulebook.language)?;
            let options = Options {
                include_comments,
                detail: true,
            };
            let analysis =
                matcher::analyze(0, &article, &rulebook, options, &mut Scratch::default())?;
            let explanation = Explanation::new(&article, &analysis, &rulebook);
            let text = match format {
                Format::Human => explanation.render(),
                Format::Json => format!("{}\n", serde_json::to_string_pretty(&explanation)?),
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
            let options = RunOptions {
                include_comments,
                window_days: None,
            };
            let run = pipeline::run(&rules, &corpus_dir, &options)?;
            if let Some(id) = &proposition {
                if run.rulebook.proposition(id).is_none() {
                    let ids = run.rulebook.propositions.iter().map(|p| p.id.as_str());
                    let hint = volte::suggest::closest(id, ids)
                        .map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    anyhow::bail!("no proposition `{id}` in the rulebook{hint}; `volte timeline` lists them all");
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

/// Writes to stdout, through anstream so colour is dropped when piped or under
/// NO_COLOR. A closed pipe (`volte check | head`) is not an error.
fn print(text: &str) -> Result<()> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report to standard output"),
    }
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
