//! Printable documents as PDF: a title, headings, paragraphs and labelled
//! fields, wrapped to the width of A4 pages and paginated.
//!
//! Kazakh and Russian need more than the fourteen standard PDF fonts
//! (which cover Latin only), so text is set in a TrueType font given as a
//! file (a system font such as DejaVu Sans; nothing is bundled) and
//! embedded whole as a composite font: every character is written as its
//! glyph number (`Identity-H`), and a `ToUnicode` map lets readers copy
//! and search the text. The font stream is compressed.
//!
//! Deliberately small: no images, no tables, no right-to-left text, no
//! hyphenation; a word longer than a line is broken where it overflows.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no font to set PDF documents in: set `export.pdf_font` to a TrueType file \
         (tried {tried})"
    )]
    NoFont { tried: String },
    #[error("reading the font {path}: {message}")]
    Font { path: PathBuf, message: String },
}

/// Where a system's usual sans-serif fonts with Cyrillic live (Debian and
/// Ubuntu packages `fonts-dejavu-core`, `fonts-liberation`, `fonts-noto`).
pub const SYSTEM_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/// A TrueType font read from a file, checked to parse.
#[derive(Clone)]
pub struct Font {
    data: std::sync::Arc<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Font({})", self.path.display())
    }
}

impl Font {
    /// Reads and checks the font at `path`.
    pub fn from_file(path: &Path) -> Result<Self, PdfError> {
        let fail = |message: String| PdfError::Font {
            path: path.to_owned(),
            message,
        };
        let data = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        ttf_parser::Face::parse(&data, 0).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            data: std::sync::Arc::new(data),
            path: path.to_owned(),
        })
    }

    /// The configured font, or else the first of [`SYSTEM_FONTS`] present.
    pub fn find(configured: Option<&Path>) -> Result<Self, PdfError> {
        if let Some(p) = configured {
            return Self::from_file(p);
        }
        SYSTEM_FONTS
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
            .map(Self::from_file)
            .unwrap_or_else(|| {
                Err(PdfError::NoFont {
                    tried: SYSTEM_FONTS.join(", "),
                })
            })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn face(&self) -> Result<ttf_parser::Face<'_>, PdfError> {
        ttf_parser::Face::parse(&self.data, 0).map_err(|e| PdfError::Font {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }
}

/// One piece of a document, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Text(String),
    /// A label and its value, as `Label: value`.
    Field(String, String),
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

impl Block {
    /// (font size, space before, text).
    fn style(&self) -> (f32, f32, String) {
        match self {
            Block::Title(t) => (16.0, 0.0, t.clone()),
            Block::Heading(t) => (12.0, 10.0, t.clone()),
            Block::Text(t) => (10.0, 4.0, t.clone()),
            Block::Field(k, v) => (10.0, 2.0, format!("{k}: {v}")),
        }
    }
}

/// Glyph numbers and widths of the font, for the characters used.
struct Shaper<'f> {
    face: ttf_parser::Face<'f>,
    units: f32,
    /// glyph -> (advance in font units, the character it was used for)
    used: BTreeMap<u16, (u16, char)>,
}

impl Shaper<'_> {
    /// The glyph of `c` (0, the font's "missing" glyph, when it has none)
    /// and its advance at `size` points.
    fn glyph(&mut self, c: char, size: f32) -> (u16, f32) {
        let gid = self.face.glyph_index(c).map_or(0, |g| g.0);
        let advance = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        self.used.entry(gid).or_insert((advance, c));
        (gid, f32::from(advance) * size / self.units)
    }

    /// `text` broken into lines no wider than `width` at `size`: at spaces,
    /// and inside a word only when it alone is wider than a line. Each line
    /// as its glyph numbers.
    fn lines(&mut self, text: &str, size: f32, width: f32) -> Vec<Vec<u16>> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line: Vec<u16> = Vec::new();
            let mut used = 0.0;
            for (i, word) in paragraph.split(' ').enumerate() {
                let glyphs: Vec<(u16, f32)> = word.chars().map(|c| self.glyph(c, size)).collect();
                let word_width: f32 = glyphs.iter().map(|g| g.1).sum();
                let (space, space_width) = self.glyph(' ', size);
                let gap = if i == 0 || line.is_empty() {
                    0.0
                } else {
                    space_width
                };
                if !line.is_empty() && used + gap + word_width > width {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                } else if gap > 0.0 {
                    line.push(space);
                    used += gap;
                }
                for (gid, w) in glyphs {
                    if used + w > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        used = 0.0;
                    }
                    line.push(gid);
                    used += w;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// The document as PDF bytes.
pub fn render(font: &Font, title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let face = font.face()?;
    let units = f32::from(face.units_per_em().max(1));
    let mut shaper = Shaper {
        face,
        units,
        used: BTreeMap::new(),
    };
    // Lay out: each page is a list of (size, y, glyphs).
    let mut pages: Vec<Vec<(f32, f32, Vec<u16>)>> = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - MARGIN;
    for block in blocks {
        let (size, before, text) = block.style();
        let leading = size * 1.35;
        y -= before;
        for line in shaper.lines(&text, size, PAGE_WIDTH - 2.0 * MARGIN) {
            if y - leading < MARGIN {
                pages.push(Vec::new());
                y = PAGE_HEIGHT - MARGIN;
            }
            y -= leading;
            if let Some(page) = pages.last_mut() {
                page.push((size, y, line));
            }
        }
    }

    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let catalog = alloc();
    let page_tree = alloc();
    let info = alloc();
    let type0 = alloc();
    let cid = alloc();
    let descriptor = alloc();
    let file = alloc();
    let cmap = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(page_tree);
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Adal"));
    pdf.pages(page_tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    let font_name = Name(b"F1");
    for ((page_id, content_id), lines) in page_ids.iter().zip(&pages) {
        let mut page = pdf.page(*page_id);
        page.parent(page_tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(*content_id);
        page.resources().fonts().pair(font_name, type0);
        page.finish();
        let mut content = Content::new();
        for (size, y, glyphs) in lines {
            let bytes: Vec<u8> = glyphs.iter().flat_map(|g| g.to_be_bytes()).collect();
            content
                .begin_text()
                .set_font(font_name, *size)
                .next_line(MARGIN, *y)
                .show(Str(&bytes))
                .end_text();
        }
        let stream = content.finish();
        pdf.stream(*content_id, stream.as_slice());
    }

    let face = &shaper.face;
    let scale = |v: f32| v * 1000.0 / units;
    let base = Name(b"AdalText");
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    {
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"))
            .default_width(0.0);
        let mut widths = c.widths();
        for (gid, (advance, _)) in &shaper.used {
            widths.consecutive(*gid, [scale(f32::from(*advance))]);
        }
    }
    let b = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            scale(f32::from(b.x_min)),
            scale(f32::from(b.y_min)),
            scale(f32::from(b.x_max)),
            scale(f32::from(b.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(scale(f32::from(face.ascender())))
        .descent(scale(f32::from(face.descender())))
        .cap_height(scale(f32::from(
            face.capital_height().unwrap_or(face.ascender()),
        )))
        .stem_v(80.0)
        .font_file2(file);
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&font.data, 6);
    pdf.stream(file, &compressed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(font.data.len()).unwrap_or(i32::MAX),
        );
    let mut unicode = pdf_writer::types::UnicodeCmap::new(Name(b"Adal-Identity-UTF16"), system);
    for (gid, (_, c)) in &shaper.used {
        unicode.pair(*gid, *c);
    }
    let unicode = unicode.finish();
    pdf.cmap(cmap, unicode.as_slice())
        .name(Name(b"Adal-Identity-UTF16"))
        .system_info(system);
    Ok(pdf.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::find(None).expect("a system font (the CI installs fonts-dejavu-core)")
    }

    #[test]
    fn a_document_in_kazakh_has_its_text_findable_and_pages_that_break() {
        let mut blocks = vec![
            Block::Title("Жеке деректер: Әлия Ғабитқызы".into()),
            Block::Field("ЖСН".into(), "880202500052".into()),
        ];
        for i in 0..120 {
            blocks.push(Block::Text(format!(
                "{i}. Қазақстан Республикасы — Öffentliche Beschaffung, ұңғыма өңір үй һәм ілім"
            )));
        }
        let bytes = render(&font(), "Export", &blocks).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(text.contains("/Identity-H"));
        // 120 paragraphs of 10-point text do not fit on one A4 page.
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "{text:.600}"
        );
        if let Ok(dir) = std::env::var("ADAL_PDF_SAMPLE_DIR") {
            std::fs::write(Path::new(&dir).join("sample.pdf"), &bytes).unwrap();
        }
        // The ToUnicode map holds the Kazakh letters used (UTF-16BE hex).
        for c in ['Ә', 'Ғ', 'қ', 'ұ', 'ң', 'ө', 'ү', 'һ', 'і'] {
            let hex = format!("{:04X}", u32::from(c));
            assert!(text.contains(&hex), "{c} ({hex}) not mapped");
        }
    }

    #[test]
    fn long_words_and_empty_text_are_laid_out_without_panicking() {
        let blocks = vec![
            Block::Text("x".repeat(2000)),
            Block::Text(String::new()),
            Block::Heading("\n\n".into()),
        ];
        let bytes = render(&font(), "Edge", &blocks).unwrap();
        assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn a_missing_font_file_says_which() {
        let err = Font::from_file(Path::new("/nonexistent/font.ttf")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/font.ttf"), "{err}");
    }
}
