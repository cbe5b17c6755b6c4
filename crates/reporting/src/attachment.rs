//! Files attached to a report: what kinds are taken, recognised by their
//! content (never by their name or the `Content-Type` a client claims),
//! and the metadata stripped from photos before they are sealed.
//!
//! - **Kinds.** Documents (PDF, Word and Excel's OOXML, plain text), photos
//!   (JPEG, PNG, WebP) and recordings (MP3, MP4/M4A, Ogg): what people
//!   report corruption with. Anything else, executables and archives
//!   included, is refused with the list of what is taken.
//! - **Why strip.** A phone's photo carries the camera's serial number,
//!   the time it was taken and often GPS coordinates in its EXIF block: on
//!   an anonymous channel that can name the reporter. JPEG's `APP1`–`APP15`
//!   and comment segments and PNG's text, time and EXIF chunks are dropped;
//!   the pixels are untouched. Documents and recordings can carry an
//!   author's name too, but rewriting them safely is beyond a byte filter:
//!   the reporter's page says so.
//!
//! Formats as their public specifications define them: JPEG (ITU T.81
//! markers), PNG (chunk layout of the W3C recommendation), ZIP (the end of
//! central directory record and central headers of PKWARE's APPNOTE), RIFF
//! for WebP, ISO BMFF's `ftyp` box for MP4.

use std::fmt;

/// Largest attachment, in bytes (10 MiB): photos from a phone and a few
/// minutes of recorded speech fit; a video of a meeting does not, and
/// would not be readable by a handler on the dashboard either.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest attachment name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// The kinds of file taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Text,
    Jpeg,
    Png,
    Webp,
    Mp3,
    Mp4,
    Ogg,
}

impl FileKind {
    pub const ALL: [FileKind; 10] = [
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Text,
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Webp,
        FileKind::Mp3,
        FileKind::Mp4,
        FileKind::Ogg,
    ];

    /// The code stored and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Text => "txt",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Mp3 => "mp3",
            FileKind::Mp4 => "mp4",
            FileKind::Ogg => "ogg",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AttachmentError> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(AttachmentError::UnknownKind)
    }

    /// The media type a download is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Mp3 => "audio/mpeg",
            FileKind::Mp4 => "video/mp4",
            FileKind::Ogg => "audio/ogg",
        }
    }

    /// The file name extension a download is given, whatever the name.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a file; the message is for the person sending it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; at most {MAX_ATTACHMENT_BYTES} bytes (10 MiB) are taken")]
    TooLarge { size: usize },
    #[error(
        "this kind of file is not taken; send a PDF, Word (.docx) or Excel (.xlsx) document, \
         plain text, a JPEG, PNG or WebP photo, or an MP3, MP4/M4A or Ogg recording"
    )]
    Unsupported,
    #[error("the file looks like a {0} but is damaged: {1}")]
    Damaged(FileKind, &'static str),
    #[error("unknown file kind")]
    UnknownKind,
}

/// A checked file: its kind, and its bytes with identifying metadata
/// removed (see the module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Recognises `bytes` by content and strips what identifies its author
/// where the format allows it.
pub fn check(bytes: &[u8]) -> Result<Checked, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge { size: bytes.len() });
    }
    let kind = sniff(bytes)?;
    let bytes = match kind {
        FileKind::Jpeg => strip_jpeg(bytes)?,
        FileKind::Png => strip_png(bytes)?,
        _ => bytes.to_vec(),
    };
    Ok(Checked { kind, bytes })
}

/// The kind of `bytes`, by content.
pub fn sniff(b: &[u8]) -> Result<FileKind, AttachmentError> {
    if b.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Jpeg);
    }
    if b.starts_with(PNG_SIGNATURE) {
        return Ok(FileKind::Png);
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(FileKind::Webp);
    }
    if b.starts_with(b"OggS") {
        return Ok(FileKind::Ogg);
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        return Ok(FileKind::Mp4);
    }
    // MP3: an ID3v2 tag, or an MPEG audio frame header (11 sync bits,
    // layer III).
    if b.starts_with(b"ID3") || (b.len() >= 2 && b[0] == 0xFF && b[1] & 0xE6 == 0xE2) {
        return Ok(FileKind::Mp3);
    }
    if b.starts_with(b"PK\x03\x04") {
        return office_kind(b);
    }
    if is_text(b) {
        return Ok(FileKind::Text);
    }
    Err(AttachmentError::Unsupported)
}

/// Plain text: UTF-8 (a byte-order mark allowed) without control
/// characters other than tab, line feed, carriage return and form feed.
fn is_text(b: &[u8]) -> bool {
    let b = b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b);
    std::str::from_utf8(b).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0C'))
    })
}

/// A ZIP is taken only as a Word or Excel document: its central directory
/// must name `[Content_Types].xml` and the main part of one of them. Any
/// other archive is refused (it could hold anything).
fn office_kind(b: &[u8]) -> Result<FileKind, AttachmentError> {
    let damaged = |why| AttachmentError::Damaged(FileKind::Docx, why);
    // The end of central directory record is 22 bytes plus a comment of
    // at most 65,535 bytes, at the end of the file.
    let from = b.len().saturating_sub(22 + 0xFFFF);
    let eocd = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..].starts_with(b"PK\x05\x06"))
        .ok_or(damaged("no end of central directory"))?;
    let entries = usize::from(le16(b, eocd + 10).ok_or(damaged("short record"))?);
    let mut at = le32(b, eocd + 16).ok_or(damaged("short record"))? as usize;
    let (mut content_types, mut word, mut excel) = (false, false, false);
    for _ in 0..entries {
        if !b.get(at..).is_some_and(|r| r.starts_with(b"PK\x01\x02")) {
            return Err(damaged("broken central directory"));
        }
        let name_len = usize::from(le16(b, at + 28).ok_or(damaged("short header"))?);
        let extra_len = usize::from(le16(b, at + 30).ok_or(damaged("short header"))?);
        let comment_len = usize::from(le16(b, at + 32).ok_or(damaged("short header"))?);
        let name = b
            .get(at + 46..at + 46 + name_len)
            .ok_or(damaged("short header"))?;
        content_types |= name == b"[Content_Types].xml";
        word |= name == b"word/document.xml";
        excel |= name == b"xl/workbook.xml";
        at += 46 + name_len + extra_len + comment_len;
    }
    match (content_types, word, excel) {
        (true, true, _) => Ok(FileKind::Docx),
        (true, false, true) => Ok(FileKind::Xlsx),
        _ => Err(AttachmentError::Unsupported),
    }
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Drops a JPEG's application segments `APP1`–`APP15` (EXIF, XMP, IPTC,
/// ICC profiles) and comments before the image data; `APP0` (JFIF) stays,
/// and so does `APP14` (Adobe), which says how to read the colours.
fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let damaged = |why| AttachmentError::Damaged(FileKind::Jpeg, why);
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut at = 2;
    loop {
        let marker = b.get(at..at + 2).ok_or(damaged("ends before the image"))?;
        if marker[0] != 0xFF {
            return Err(damaged("a segment without its marker"));
        }
        let m = marker[1];
        // Fill bytes before a marker.
        if m == 0xFF {
            at += 1;
            continue;
        }
        // Markers without a length.
        if matches!(m, 0x01 | 0xD0..=0xD7) {
            out.extend_from_slice(marker);
            at += 2;
            continue;
        }
        if m == 0xD9 {
            out.extend_from_slice(marker);
            return Ok(out);
        }
        let len = usize::from(u16::from_be_bytes([
            *b.get(at + 2).ok_or(damaged("a cut segment"))?,
            *b.get(at + 3).ok_or(damaged("a cut segment"))?,
        ]));
        if len < 2 || at + 2 + len > b.len() {
            return Err(damaged("a segment longer than the file"));
        }
        let identifying = matches!(m, 0xE1..=0xED | 0xEF | 0xFE);
        if !identifying {
            out.extend_from_slice(&b[at..at + 2 + len]);
        }
        at += 2 + len;
        // Start of scan: the entropy-coded image follows, with the rest
        // of the file; nothing after it is metadata a camera writes.
        if m == 0xDA {
            out.extend_from_slice(&b[at..]);
            return Ok(out);
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Drops a PNG's text (`tEXt`, `zTXt`, `iTXt`), time (`tIME`) and EXIF
/// (`eXIf`) chunks; every other chunk is copied as it is.
fn strip_png(b: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let damaged = |why| AttachmentError::Damaged(FileKind::Png, why);
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut at = PNG_SIGNATURE.len();
    while at < b.len() {
        let len = be32(b, at).ok_or(damaged("a cut chunk"))? as usize;
        let end = at
            .checked_add(12)
            .and_then(|e| e.checked_add(len))
            .filter(|&e| e <= b.len())
            .ok_or(damaged("a chunk longer than the file"))?;
        let kind = &b[at + 4..at + 8];
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"tIME" | b"eXIf") {
            out.extend_from_slice(&b[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
    Err(damaged("no end chunk"))
}

/// A file name fit to keep and show: the last path component, without
/// control characters or characters that mean something to a shell or a
/// file system, at most [`MAX_NAME_CHARS`] characters, and always ending
/// in the extension of the kind found (so a `.exe` name on a PDF becomes
/// `….exe.pdf`, and nobody opens it as what its name claims).
pub fn clean_name(name: &str, kind: FileKind) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String = last
        .chars()
        // Bidirectional and invisible formatting characters too: a
        // right-to-left override makes `exe.pdf` read as `fdp.exe`.
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        })
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    let ext = kind.extension();
    let has_ext = cleaned.rsplit_once('.').is_some_and(|(_, e)| {
        e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
    });
    let stem_max = MAX_NAME_CHARS - ext.len() - 1;
    if cleaned.chars().count() > MAX_NAME_CHARS || (!has_ext && cleaned.chars().count() > stem_max)
    {
        cleaned = cleaned.chars().take(stem_max).collect();
        return format!("{cleaned}.{ext}");
    }
    if cleaned.is_empty() {
        return format!("attachment.{ext}");
    }
    if has_ext {
        cleaned
    } else {
        format!("{cleaned}.{ext}")
    }
}

/// The `Content-Disposition` a download is sent with:
/// `attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>`
/// (RFC 6266): the ASCII fallback for old clients, the exact name for the
/// rest, and never inline.
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an EXIF segment (carrying a marker string), a comment,
    /// its JFIF header and a tiny scan.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0]);
        let exif = b"Exif\0\0GPS-43.2389N";
        b.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
        b.extend_from_slice(exif);
        b.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06, b'm', b'i', b'n', b'e']);
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 1, 2, 0x55, 0x66, 0x77]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    fn zip_named(names: &[&str]) -> Vec<u8> {
        // Local headers are not read; a central directory and its end
        // record are what the check looks at.
        let mut b = b"PK\x03\x04".to_vec();
        b.extend_from_slice(&[0; 26]);
        let cd_at = b.len() as u32;
        for n in names {
            let mut h = b"PK\x01\x02".to_vec();
            h.extend_from_slice(&[0; 24]);
            h.extend_from_slice(&(n.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 16]);
            h.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&h);
        }
        b.extend_from_slice(b"PK\x05\x06");
        b.extend_from_slice(&[0; 6]);
        b.extend_from_slice(&(names.len() as u16).to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&cd_at.to_le_bytes());
        b.extend_from_slice(&[0; 2]);
        b
    }

    #[test]
    fn kinds_are_recognised_by_content_not_name() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap(), FileKind::Pdf);
        assert_eq!(sniff(&jpeg_with_exif()).unwrap(), FileKind::Jpeg);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), FileKind::Webp);
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0").unwrap(), FileKind::Mp4);
        assert_eq!(sniff(b"ID3\x04\0\0").unwrap(), FileKind::Mp3);
        assert_eq!(sniff(b"OggS\0\x02").unwrap(), FileKind::Ogg);
        assert_eq!(
            sniff("Взятка 50 000 ₸\r\n".as_bytes()).unwrap(),
            FileKind::Text
        );
        assert_eq!(
            sniff(&zip_named(&["[Content_Types].xml", "word/document.xml"])).unwrap(),
            FileKind::Docx
        );
        assert_eq!(
            sniff(&zip_named(&["[Content_Types].xml", "xl/workbook.xml"])).unwrap(),
            FileKind::Xlsx
        );
    }

    #[test]
    fn executables_archives_and_binary_are_refused() {
        for refused in [
            b"MZ\x90\0\x03\0\0\0".to_vec(),
            b"\x7fELF\x02\x01".to_vec(),
            zip_named(&["payload.exe"]),
            zip_named(&["word/document.xml"]),
            b"text with a \0 byte".to_vec(),
        ] {
            assert_eq!(sniff(&refused), Err(AttachmentError::Unsupported));
        }
        assert_eq!(check(b""), Err(AttachmentError::Empty));
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert!(matches!(check(&big), Err(AttachmentError::TooLarge { .. })));
    }

    #[test]
    fn a_damaged_zip_says_so() {
        let mut z = zip_named(&["[Content_Types].xml", "word/document.xml"]);
        let n = z.len();
        // Point the central directory past the end of the file.
        z[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(sniff(&z), Err(AttachmentError::Damaged(..))));
    }

    #[test]
    fn photos_lose_their_exif_comments_and_text_but_keep_their_pixels() {
        let j = check(&jpeg_with_exif()).unwrap();
        let s = String::from_utf8_lossy(&j.bytes);
        assert!(!s.contains("GPS-43"), "EXIF kept");
        assert!(!s.contains("mine"), "comment kept");
        assert!(s.contains("JFIF"));
        assert!(j.bytes.ends_with(&[0x55, 0x66, 0x77, 0xFF, 0xD9]));

        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0Reporter Name"));
        png.extend(chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(chunk(b"IDAT", b"pixels"));
        png.extend(chunk(b"IEND", b""));
        let p = check(&png).unwrap();
        let s = String::from_utf8_lossy(&p.bytes);
        assert!(!s.contains("Reporter Name") && !s.contains("GPS"));
        assert!(s.contains("IHDR") && s.contains("pixels") && s.contains("IEND"));
    }

    #[test]
    fn cut_photos_are_damaged_not_accepted() {
        let j = jpeg_with_exif();
        assert!(matches!(
            check(&j[..12]),
            Err(AttachmentError::Damaged(FileKind::Jpeg, _))
        ));
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        assert!(matches!(
            check(&png),
            Err(AttachmentError::Damaged(FileKind::Png, _))
        ));
    }

    #[test]
    fn names_travel_exactly_in_filename_star_and_safely_in_filename() {
        assert_eq!(
            disposition("акт \"1\".pdf"),
            "attachment; filename=\"___ _1_.pdf\"; \
             filename*=UTF-8''%D0%B0%D0%BA%D1%82%20%221%22.pdf"
        );
    }

    #[test]
    fn names_are_cleaned_and_end_in_the_kind_found() {
        assert_eq!(
            clean_name("C:\\Users\\me\\акт.pdf", FileKind::Pdf),
            "акт.pdf"
        );
        assert_eq!(clean_name("run.exe", FileKind::Pdf), "run.exe.pdf");
        assert_eq!(clean_name("../../etc/passwd", FileKind::Text), "passwd.txt");
        assert_eq!(clean_name("photo.JPEG", FileKind::Jpeg), "photo.JPEG");
        assert_eq!(clean_name("  ", FileKind::Png), "attachment.png");
        assert_eq!(clean_name("a\u{202e}b<c>.txt", FileKind::Text), "ab_c_.txt");
        let long = "я".repeat(500);
        let n = clean_name(&long, FileKind::Pdf);
        assert_eq!(n.chars().count(), MAX_NAME_CHARS);
        assert!(n.ends_with(".pdf"));
    }
}
