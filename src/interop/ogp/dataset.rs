//! Reading OGP's commitment dataset: a CSV file with one row per commitment and 171 named
//! columns, multi-line quoted cells, and values kept can only partly trust.

use std::collections::HashMap;
use std::path::Path;

use crate::interop::{Finding, FindingKind, ImportError};

/// Columns without which a row cannot become a commitment.
pub const REQUIRED: [&str; 3] = ["Commitment Unique Identifier", "Country/Locality", "Commitment Title"];

/// The dataset, read whole: its header and its rows.
#[derive(Debug)]
pub struct Dataset {
    /// The file name as given, for findings.
    pub file: String,
    headers: Vec<String>,
    index: HashMap<String, usize>,
    /// The rows that could be read.
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug)]
pub struct Row {
    /// 1-based number of the data row (the header is row 0).
    pub record: usize,
    /// 1-based line where the row starts in the file (cells may span lines).
    pub line: u64,
    cells: Vec<String>,
}

impl Dataset {
    /// Read a dataset file. Rows that cannot be read (invalid UTF-8, a wrong number of
    /// cells) are reported in `findings` and left out; a file that is not a CSV table with
    /// the required columns is an error.
    pub fn read(path: &Path, findings: &mut Vec<Finding>) -> Result<Dataset, ImportError> {
        let bytes = std::fs::read(path).map_err(|source| ImportError::Io { path: path.to_path_buf(), source })?;
        Dataset::parse(&path.display().to_string(), &bytes, findings)
    }

    /// Parse dataset bytes; `file` names them in findings and errors.
    pub fn parse(file: &str, bytes: &[u8], findings: &mut Vec<Finding>) -> Result<Dataset, ImportError> {
        let not_csv = |reason: String| ImportError::NotCsv { file: file.to_string(), reason };
        // A binary file parses as "CSV" of garbage; NUL bytes never occur in text.
        if bytes.iter().take(64 * 1024).any(|&b| b == 0) {
            return Err(not_csv("it holds NUL bytes, so it is binary, not text".into()));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader.byte_headers().map_err(|e| not_csv(format!("its first line cannot be read: {e}")))?;
        let headers: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8(h.to_vec()).map(|h| h.trim().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|_| not_csv("its first line is not UTF-8 text".into()))?;
        let index: HashMap<String, usize> = headers.iter().enumerate().rev().map(|(i, h)| (h.clone(), i)).collect();
        let missing: Vec<String> =
            REQUIRED.iter().filter(|c| !index.contains_key(**c)).map(|c| c.to_string()).collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns { file: file.to_string(), columns: missing, found: headers.len() });
        }
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        loop {
            let line = reader.position().line();
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    n += 1;
                    findings.push(skipped(file, n, line, format!("the row cannot be read as CSV: {e}")));
                    // A quoting error leaves the reader where it cannot go on reliably.
                    if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                    continue;
                }
            }
            n += 1;
            if record.len() != headers.len() {
                findings.push(skipped(
                    file,
                    n,
                    line,
                    format!("the row has {} cells where the header has {}", record.len(), headers.len()),
                ));
                continue;
            }
            let cells: Result<Vec<String>, _> = record.iter().map(|c| String::from_utf8(c.to_vec())).collect();
            match cells {
                Ok(cells) => rows.push(Row { record: n, line, cells }),
                Err(_) => findings.push(skipped(file, n, line, "the row is not UTF-8 text".into())),
            }
        }
        Ok(Dataset { file: file.to_string(), headers, index, rows })
    }

    /// The column names, in order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Whether the dataset has a column.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// A cell of a row, trimmed; "" when the column is absent.
    pub fn get<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.index.get(column).and_then(|&i| row.cells.get(i)).map_or("", |s| s.trim())
    }
}

fn skipped(file: &str, record: usize, line: u64, message: String) -> Finding {
    Finding {
        file: file.to_string(),
        record,
        line,
        column: String::new(),
        text: String::new(),
        kind: FindingKind::Skipped,
        message,
        commitment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_cells_and_bad_rows() {
        let csv = "Commitment Unique Identifier,Country/Locality,Commitment Title,Action Plan Number,Full Text\n\
                   AB0001,Abland,One,1,\"two\nlines\"\nAB0002,Abland,Two\nAB0003,Abland,Three,1,x\n";
        let mut findings = Vec::new();
        let d = Dataset::parse("t.csv", csv.as_bytes(), &mut findings).unwrap();
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.get(&d.rows[0], "Full Text"), "two\nlines");
        assert_eq!((d.rows[1].record, d.rows[1].line), (3, 5));
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].record, findings[0].line), (2, 4));
    }

    #[test]
    fn missing_columns_are_named() {
        let err = Dataset::parse("t.csv", b"Commitment Title,Country/Locality\nx,y\n", &mut Vec::new()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`Commitment Unique Identifier`") && !msg.contains("`Commitment Title`"), "{msg}");
    }
}
