//! What is wrong with input, as data rather than as a sentence: the core says
//! which field and what rule, and each front end words it in the reader's
//! language (the portal and the API through their translations).

use std::fmt;

/// A field of a form or request that a problem concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A person's name.
    Name,
    /// An e-mail address.
    Email,
    /// A ticket's subject.
    Subject,
    /// A message text.
    Message,
    /// Attachments.
    Attachments,
    /// A password.
    Password,
    /// Labels.
    Labels,
    /// A release version.
    ReleaseVersion,
    /// A work item reference.
    WorkItem,
    /// An organisation's name.
    OrganisationName,
    /// A mail domain.
    Domain,
    /// The reason for a removal.
    Reason,
    /// A date.
    Date,
}

impl Field {
    /// The stable id of the field, as the API and forms name it.
    pub fn id(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Subject => "subject",
            Field::Message => "message",
            Field::Attachments => "files",
            Field::Password => "password",
            Field::Labels => "labels",
            Field::ReleaseVersion => "version",
            Field::WorkItem => "work_item",
            Field::OrganisationName => "organisation",
            Field::Domain => "domain",
            Field::Reason => "reason",
            Field::Date => "until",
        }
    }

    fn english(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "e-mail address",
            Field::Subject => "subject",
            Field::Message => "message",
            Field::Attachments => "attachments",
            Field::Password => "password",
            Field::Labels => "label",
            Field::ReleaseVersion => "release version",
            Field::WorkItem => "work item",
            Field::OrganisationName => "organisation name",
            Field::Domain => "mail domain",
            Field::Reason => "reason",
            Field::Date => "date",
        }
    }
}

/// Why input is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field is empty (or only spaces).
    Empty(Field),
    /// The field is longer than this many characters.
    TooLong(Field, usize),
    /// The field contains control characters (such as NUL).
    ControlCharacters(Field),
    /// The text is not an e-mail address Loket can send mail to.
    NotAnEmail(String),
    /// More attachments than this.
    TooManyFiles(usize),
    /// An attachment larger than `max` bytes.
    FileTooLarge {
        /// Its file name.
        name: String,
        /// The largest size allowed, in bytes.
        max: u64,
    },
    /// An attachment without a usable file name.
    FileName,
    /// A password shorter than this many characters.
    PasswordTooShort(usize),
    /// A password that is common, guessable or trivial.
    PasswordTooWeak,
    /// More labels than this.
    TooManyLabels(usize),
    /// A public mail provider's domain, which is never an organisation's.
    PublicMailDomain(String),
    /// Not a mail domain (`gemeente.nl`).
    NotADomain(String),
    /// Anything else, worded in English.
    Other(String),
}

impl Problem {
    /// The field the problem concerns, if one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Problem::Empty(f) | Problem::TooLong(f, _) | Problem::ControlCharacters(f) => Some(*f),
            Problem::NotAnEmail(_) => Some(Field::Email),
            Problem::TooManyFiles(_) | Problem::FileTooLarge { .. } | Problem::FileName => Some(Field::Attachments),
            Problem::PasswordTooShort(_) | Problem::PasswordTooWeak => Some(Field::Password),
            Problem::TooManyLabels(_) => Some(Field::Labels),
            Problem::PublicMailDomain(_) | Problem::NotADomain(_) => Some(Field::Domain),
            Problem::Other(_) => None,
        }
    }
}

/// A size for people: `25 MB`, `1.5 MB`, `20 kB` below a megabyte.
pub fn megabytes(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        return format!("{} kB", bytes.div_ceil(1024));
    }
    let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty(field) => write!(f, "the {} must not be empty", field.english()),
            Problem::TooLong(field, max) => write!(f, "the {} must be at most {max} characters", field.english()),
            Problem::ControlCharacters(field) => {
                write!(f, "the {} contains control characters", field.english())
            }
            Problem::NotAnEmail(s) => write!(f, "'{s}' is not a valid e-mail address"),
            Problem::TooManyFiles(max) => write!(f, "at most {max} attachments per message"),
            Problem::FileTooLarge { name, max } => {
                write!(f, "attachment '{name}' is larger than {}", megabytes(*max))
            }
            Problem::FileName => f.write_str("an attachment needs a file name of at most 255 characters"),
            Problem::PasswordTooShort(min) => write!(f, "a password needs at least {min} characters"),
            Problem::PasswordTooWeak => f.write_str(
                "this password is too easy to guess; choose a longer one, for example a sentence of a few words",
            ),
            Problem::TooManyLabels(max) => write!(f, "a ticket has at most {max} labels"),
            Problem::PublicMailDomain(d) => write!(
                f,
                "'{d}' is a public mail provider's domain and cannot belong to an organisation"
            ),
            Problem::NotADomain(d) => write!(f, "'{d}' is not a mail domain"),
            Problem::Other(s) => f.write_str(s),
        }
    }
}

/// Checks a short one-line text: trimmed, not empty, at most `max` characters,
/// no control characters. Answers the trimmed text.
pub fn clean_line(raw: &str, field: Field, max: usize) -> Result<String, Problem> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(Problem::Empty(field));
    }
    if v.chars().count() > max {
        return Err(Problem::TooLong(field, max));
    }
    if v.chars().any(char::is_control) {
        return Err(Problem::ControlCharacters(field));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_megabytes() {
        assert_eq!(megabytes(25 * 1024 * 1024), "25 MB");
        assert_eq!(megabytes(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(megabytes(20_000), "20 kB");
        assert_eq!(
            Problem::FileTooLarge {
                name: "big.bin".into(),
                max: 26_214_400
            }
            .to_string(),
            "attachment 'big.bin' is larger than 25 MB"
        );
    }

    #[test]
    fn lines_are_checked() {
        assert_eq!(clean_line("  a  ", Field::Name, 5), Ok("a".into()));
        assert_eq!(clean_line(" ", Field::Name, 5), Err(Problem::Empty(Field::Name)));
        assert_eq!(
            clean_line("abcdef", Field::Name, 5),
            Err(Problem::TooLong(Field::Name, 5))
        );
        assert_eq!(
            clean_line("a\0b", Field::Name, 5),
            Err(Problem::ControlCharacters(Field::Name))
        );
    }
}
