//! `--format sarif`: SARIF 2.1.0, which GitHub code scanning loads. One result
//! per contradiction, located at the newer article's sentence, the older side
//! as a related location; each proposition is a rule, its claim the description.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{github, Report};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: Properties,
}

#[derive(Serialize)]
struct Properties {
    kind: &'static str,
    fails: bool,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

fn location(path: &str, line: usize, id: Option<usize>, message: Option<String>) -> Location {
    Location {
        id,
        physical_location: Physical {
            artifact_location: Artifact {
                uri: path.to_string(),
            },
            region: Region {
                start_line: line.max(1),
            },
        },
        message: message.map(|text| Message { text }),
    }
}

/// A stable 64-bit FNV-1a hash, hex: the same contradiction keeps the same
/// fingerprint from run to run, so code scanning tracks it.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let rules: Vec<Rule> = report
        .propositions
        .iter()
        .map(|p| Rule {
            id: p.id.clone(),
            name: p.id.clone(),
            short_description: Message {
                text: p.claim.clone(),
            },
            full_description: Message {
                text: format!("Articles contradict each other on: {}", p.claim),
            },
            default_configuration: Configuration { level: "error" },
        })
        .collect();
    let results = report
        .contradictions
        .iter()
        .map(|c| {
            let rule_index = report
                .propositions
                .iter()
                .position(|p| *p.id == *c.proposition)
                .unwrap_or(0);
            let (first, second) = crate::acknowledge::pair(&c.a.article, &c.b.article);
            let mut partial_fingerprints = BTreeMap::new();
            partial_fingerprints.insert(
                "volteContradiction/v1".to_string(),
                fingerprint(&[&c.proposition, &first, &second]),
            );
            SarifResult {
                rule_id: c.proposition.to_string(),
                rule_index,
                level: if c.fails { "error" } else { "warning" },
                message: Message {
                    text: format!(
                        "{} on {}: {}",
                        c.kind.as_str(),
                        c.proposition,
                        github::message(c)
                    ),
                },
                locations: vec![location(&c.b.path, c.b.line, None, None)],
                related_locations: vec![location(
                    &c.a.path,
                    c.a.line,
                    Some(1),
                    Some(format!(
                        "{} {} ({}): « {} »",
                        c.a.date,
                        c.a.source,
                        c.a.stance.as_str(),
                        c.a.sentence
                    )),
                )],
                partial_fingerprints,
                suppressions: c
                    .acknowledged_reason
                    .iter()
                    .map(|r| Suppression {
                        kind: "external",
                        justification: r.clone(),
                    })
                    .collect(),
                properties: Properties {
                    kind: c.kind.as_str(),
                    fails: c.fails,
                },
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "volte",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}
