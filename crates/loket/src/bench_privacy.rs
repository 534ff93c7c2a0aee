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
    /// A folder of evaluation attachments with their `files.jsonl`: each
    /// file goes through the attachment extraction and the scan.
    #[arg(long)]
    eval_files: Option<std::path::PathBuf>,
}

/// The kinds, in the order of the tables.
const KINDS: [loket_privacy::Kind; 7] = [
    loket_privacy::Kind::Bsn,
    loket_privacy::Kind::Iban,
    loket_privacy::Kind::Email,
    loket_privacy::Kind::Phone,
    loket_privacy::Kind::Address,
    loket_privacy::Kind::BirthDate,
    loket_privacy::Kind::Name,
];

/// Right, false positives, missed, per kind.
type Tally = [(usize, usize, usize); 7];

/// Counts one sample: what was found against its truth.
fn count(tally: &mut Tally, truth: &serde_json::Value, found: &[loket_privacy::Finding]) {
    for (k, kind) in KINDS.iter().enumerate() {
        let want = usize::try_from(truth[kind.id()].as_u64().unwrap_or(0)).unwrap_or(0);
        let got = found.iter().filter(|f| f.kind == *kind).count();
        tally[k].0 += want.min(got);
        tally[k].1 += got.saturating_sub(want);
        tally[k].2 += want.saturating_sub(got);
    }
}

/// Prints a tally as a Markdown table.
fn print_tally(tally: &Tally) {
    #[allow(clippy::cast_precision_loss)]
    let pct = |a: usize, b: usize| if b == 0 { 100.0 } else { 100.0 * a as f64 / b as f64 };
    println!("| kind | present | found right | false positives | missed | precision % | recall % |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (k, kind) in KINDS.iter().enumerate() {
        let (tp, fp, missed) = tally[k];
        println!(
            "| {} | {} | {tp} | {fp} | {missed} | {:.1} | {:.1} |",
            kind.id(),
            tp + missed,
            pct(tp, tp + fp),
            pct(tp, tp + missed)
        );
    }
}

/// Precision and recall per kind over attachments (XLSX, CSV, DOCX, PDF),
/// each extracted and scanned as Loket does with a mail's files.
fn evaluate_files(dir: &std::path::Path) -> Result<(), String> {
    let manifest = dir.join("files.jsonl");
    let data = std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let mut all: Tally = [(0, 0, 0); 7];
    let mut files = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let name = v["file"].as_str().ok_or("a file entry without a name")?;
        let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let pieces = loket_extract::extract(name, "", &bytes, &loket_extract::Limits::default());
        let item = loket_privacy::summarise(&pieces, &loket_privacy::Known::default());
        if !item.summary.not_scanned.is_empty() {
            return Err(format!("{name} could not be read: {:?}", item.summary.not_scanned));
        }
        count(&mut all, &v["truth"], &item.findings);
        files += 1;
    }
    println!("{files} attachments (XLSX, CSV, DOCX, PDF) from {}\n", dir.display());
    print_tally(&all);
    Ok(())
}

/// Precision and recall per kind over an evaluation set: per text, what a
/// kind was found as often as it is there counts as right; more is a false
/// positive, fewer a miss.
fn evaluate(path: &std::path::Path) -> Result<(), String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut tally: Tally = [(0, 0, 0); 7];
    let mut texts = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let text = v["text"].as_str().ok_or("a sample without text")?;
        let found = loket_privacy::scan_text(text, &loket_privacy::Known::default());
        count(&mut tally, &v["truth"], &found);
        texts += 1;
    }
    println!("{texts} texts from {}\n", path.display());
    print_tally(&tally);
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
    if args.eval.is_some() || args.eval_files.is_some() {
        if let Some(path) = &args.eval {
            evaluate(path)?;
        }
        if let Some(dir) = &args.eval_files {
            println!();
            evaluate_files(dir)?;
        }
        return Ok(());
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
    let (rows, bytes) = table_rows(args.table_mb << 20);
    let started = Instant::now();
    let in_table = loket_privacy::scan_table(Some("Blad1"), &rows, &known);
    let table_secs = started.elapsed().as_secs_f64();
    // A spreadsheet file of 10 MB, through extraction and scan as an
    // attachment goes (cells vary as real ones do, so it compresses as they do).
    let mut cells = args.table_mb << 20;
    let (sheet_rows, sheet_bytes, xlsx) = loop {
        let (rows, bytes) = table_rows(cells);
        let xlsx = loket_extract::write_xlsx("Blad1", &rows);
        if xlsx.len() >= 10 << 20 {
            break (rows.len() - 1, bytes, xlsx);
        }
        cells = cells * (10 << 20) / xlsx.len().max(1) + (1 << 20);
    };
    let started = Instant::now();
    let pieces = loket_extract::extract("clienten.xlsx", "", &xlsx, &loket_extract::Limits::default());
    let extract_secs = started.elapsed().as_secs_f64();
    let item = loket_privacy::summarise(&pieces, &known);
    let file_secs = started.elapsed().as_secs_f64();
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
        "| table of {} rows (names, dates of birth, addresses, BSNs) | {:.1} | {} | {:.1} |",
        rows.len() - 1,
        mb(bytes),
        in_table.len(),
        mb(bytes) / table_secs
    );
    println!(
        "| XLSX file of {sheet_rows} rows: extract and scan ({extract_secs:.1} s of it extracting), {} people | {:.1} (cells {:.1}) | {} | {:.1} (cells {:.1}) |",
        item.summary.people,
        mb(xlsx.len()),
        mb(sheet_bytes),
        item.findings.len(),
        mb(xlsx.len()) / file_secs,
        mb(sheet_bytes) / file_secs
    );
    Ok(())
}

/// A client table with about `cell_bytes` in its cells: client numbers,
/// names, dates of birth, addresses and BSNs that vary row by row.
fn table_rows(cell_bytes: usize) -> (Vec<Vec<String>>, usize) {
    const NAMES: &[&str] = &[
        "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    ];
    const STREETS: &[&str] = &["Dorpsstraat", "Kerkweg", "Stationsplein", "Molenlaan", "Schoolstraat"];
    let mut rows = vec![vec![
        "Cliëntnummer".to_owned(),
        "Achternaam".to_owned(),
        "Geboortedatum".to_owned(),
        "Adres".to_owned(),
        "BSN".to_owned(),
        "Opmerking".to_owned(),
    ]];
    let mut bytes = 0usize;
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let mut bsn = 100_000_000u32;
    while bytes < cell_bytes {
        bsn += 1 + u32::try_from(next(40)).unwrap_or(0);
        while !loket_privacy::is_bsn(bsn.to_string().as_bytes()) {
            bsn += 1;
        }
        let name = NAMES[usize::try_from(next(8)).unwrap_or(0)];
        let street = STREETS[usize::try_from(next(5)).unwrap_or(0)];
        let row = vec![
            format!("{}", 100_000 + next(900_000)),
            format!("{name}-{}", next(10_000)),
            format!("{}-{}-19{}", 1 + next(28), 1 + next(12), 20 + next(80)),
            format!("{street} {}", 1 + next(300)),
            bsn.to_string(),
            "Geen bijzonderheden bij de aanvraag".to_owned(),
        ];
        bytes += row.iter().map(String::len).sum::<usize>();
        rows.push(row);
    }
    (rows, bytes)
}
