//! `loket bench-privacy`: how fast the personal-data detectors read running
//! Dutch text and a spreadsheet-sized table, in MB/s (one core); with
//! `--eval`, their precision and recall on an evaluation set.

use std::time::Instant;

/// Options of `loket bench-privacy`.
#[derive(Debug, clap::Args)]
pub struct BenchPrivacyArgs {
    /// Megabytes of running text.
    #[arg(long, default_value_t = 50)]
    text_mb: usize,
    /// Megabytes of table cells.
    #[arg(long, default_value_t = 10)]
    table_mb: usize,
    /// An evaluation set (`scripts/privacy_eval.py`): prints precision and
    /// recall per kind instead of the speed.
    #[arg(long)]
    eval: Option<std::path::PathBuf>,
}

/// Precision and recall per kind over an evaluation set: per text, what a
/// kind was found as often as it is there counts as right; more is a false
/// positive, fewer a miss.
fn evaluate(path: &std::path::Path) -> Result<(), String> {
    use loket_privacy::Kind;
    let data = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let kinds = [
        Kind::Bsn,
        Kind::Iban,
        Kind::Email,
        Kind::Phone,
        Kind::Address,
        Kind::BirthDate,
        Kind::Name,
    ];
    let mut tally = [(0usize, 0usize, 0usize); 7];
    let mut texts = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let text = v["text"].as_str().ok_or("a sample without text")?;
        let found = loket_privacy::scan_text(text, &loket_privacy::Known::default());
        for (k, kind) in kinds.iter().enumerate() {
            let want = usize::try_from(v["truth"][kind.id()].as_u64().unwrap_or(0)).unwrap_or(0);
            let got = found.iter().filter(|f| f.kind == *kind).count();
            tally[k].0 += want.min(got);
            tally[k].1 += got.saturating_sub(want);
            tally[k].2 += want.saturating_sub(got);
        }
        texts += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let pct = |a: usize, b: usize| if b == 0 { 100.0 } else { 100.0 * a as f64 / b as f64 };
    println!("{texts} texts from {}\n", path.display());
    println!("| kind | present | found right | false positives | missed | precision % | recall % |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (k, kind) in kinds.iter().enumerate() {
        let (tp, fp, missed) = tally[k];
        println!(
            "| {} | {} | {tp} | {fp} | {missed} | {:.1} | {:.1} |",
            kind.id(),
            tp + missed,
            pct(tp, tp + fp),
            pct(tp, tp + missed)
        );
    }
    Ok(())
}

/// Sentences of a helpdesk mail; one in five carries personal data.
const PLAIN: &[&str] = &[
    "De export van de kwartaalrapportage geeft sinds de update een foutmelding.",
    "Wij hebben het zaaksysteem opnieuw gestart maar het probleem blijft bestaan.",
    "Kunt u aangeven in welke versie dit wordt opgelost? Ons ticketnummer is 100234.",
    "De beschikking wordt niet aangemaakt wanneer de aanvraag in behandeling is.",
];
const PERSONAL: &[&str] = &[
    "Het gaat om Jan de Vries, BSN 123456782, geboren op 12-03-1980.",
    "Hij woont aan de Dorpsstraat 12a, 1234 AB Ons Dorp, telefoon 06-12345678.",
    "Rekening NL91 ABNA 0417 1643 00, mail j.devries@voorbeeld.nl.",
];

/// Runs the benchmark (or the evaluation) and prints a Markdown table.
pub fn run(args: &BenchPrivacyArgs) -> Result<(), String> {
    if let Some(path) = &args.eval {
        return evaluate(path);
    }
    let mut text = String::with_capacity(args.text_mb << 20);
    let mut i = 0usize;
    while text.len() < args.text_mb << 20 {
        let line = if i % 5 == 4 {
            PERSONAL[i % PERSONAL.len()]
        } else {
            PLAIN[i % PLAIN.len()]
        };
        text.push_str(line);
        text.push('\n');
        i += 1;
    }
    let known = loket_privacy::Known::default();
    let started = Instant::now();
    let found = loket_privacy::scan_text(&text, &known);
    let text_secs = started.elapsed().as_secs_f64();
    let mut rows = vec![vec![
        "Cliëntnummer".to_owned(),
        "Achternaam".to_owned(),
        "Geboortedatum".to_owned(),
        "Adres".to_owned(),
        "Opmerking".to_owned(),
    ]];
    let mut bytes = 0usize;
    let mut n = 0u64;
    while bytes < args.table_mb << 20 {
        let row = vec![
            format!("{}", 100_000 + n),
            format!("Jansen{}", n % 1000),
            format!("{}-{}-19{}", 1 + n % 28, 1 + n % 12, 40 + n % 60),
            format!("Dorpsstraat {}", 1 + n % 300),
            "Geen bijzonderheden bij de aanvraag".to_owned(),
        ];
        bytes += row.iter().map(String::len).sum::<usize>();
        rows.push(row);
        n += 1;
    }
    let started = Instant::now();
    let in_table = loket_privacy::scan_table(Some("Blad1"), &rows, &known);
    let table_secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let mb = |b: usize| b as f64 / f64::from(1u32 << 20);
    println!("| input | size MB | findings | MB/s |");
    println!("|---|---:|---:|---:|");
    println!(
        "| running Dutch text (1 line in 5 with personal data) | {:.1} | {} | {:.1} |",
        mb(text.len()),
        found.len(),
        mb(text.len()) / text_secs
    );
    println!(
        "| table of {} rows (names, dates of birth, addresses) | {:.1} | {} | {:.1} |",
        rows.len() - 1,
        mb(bytes),
        in_table.len(),
        mb(bytes) / table_secs
    );
    Ok(())
}
