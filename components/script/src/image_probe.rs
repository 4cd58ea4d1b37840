//! What bgsync knows of an image without decoding its pixels: its format, from its first bytes
//! (the image type pattern matching algorithm of <https://mimesniff.spec.whatwg.org/#matching-an-image-type-pattern>),
//! and its natural size, from that format's header.
//!
//! bgsync paints nothing, so an image whose header is whole and gives a size counts as decoded
//! (an `<img>` fires `load`); anything else is broken (`error`). A corrupt image whose header
//! is whole still "loads": the pixels are never looked at.

/// An image's format and natural size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// Its MIME type, as sniffed.
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The format and size of `bytes`, or `None` when they are no image bgsync knows (PNG, GIF,
/// JPEG, WebP, BMP, ICO/CUR and, when `content_type` says `image/svg+xml` or the bytes start
/// with an `<svg` root, SVG) or its header is cut short or gives no size.
pub fn probe(bytes: &[u8], content_type: Option<&str>) -> Option<ImageInfo> {
    let sniffed = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        gif(bytes)
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        jpeg(bytes)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        webp(bytes)
    } else if bytes.starts_with(b"BM") {
        bmp(bytes)
    } else if bytes.starts_with(b"\0\0\x01\0") || bytes.starts_with(b"\0\0\x02\0") {
        ico(bytes)
    } else {
        None
    };
    if sniffed.is_some() {
        return sniffed;
    }
    let declared_svg = content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("image/svg+xml"));
    if declared_svg || looks_like_svg(bytes) {
        return svg(bytes);
    }
    None
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 3)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

/// A raster image's size: both sides at least one pixel.
fn sized(mime: &'static str, width: u32, height: u32) -> Option<ImageInfo> {
    (width > 0 && height > 0).then_some(ImageInfo {
        mime,
        width,
        height,
    })
}

/// PNG: the IHDR chunk comes first, width and height big-endian.
fn png(bytes: &[u8]) -> Option<ImageInfo> {
    if bytes.get(12..16) != Some(b"IHDR") {
        return None;
    }
    sized("image/png", be32(bytes, 16)?, be32(bytes, 20)?)
}

/// GIF: the logical screen's width and height, little-endian.
fn gif(bytes: &[u8]) -> Option<ImageInfo> {
    sized("image/gif", le16(bytes, 6)?, le16(bytes, 8)?)
}

/// JPEG: the first start-of-frame segment's height and width.
fn jpeg(bytes: &[u8]) -> Option<ImageInfo> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xff {
            return None;
        }
        while *bytes.get(at)? == 0xff {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Markers without a segment: TEM and the restart markers.
            0x01 | 0xd0..=0xd7 => continue,
            // End of image, or the scan began before any frame header.
            0xd9 | 0xda => return None,
            _ => {}
        }
        let length = be16(bytes, at)? as usize;
        if length < 2 {
            return None;
        }
        // SOF0..SOF15, except DHT (c4), JPG (c8) and DAC (cc).
        if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            return sized("image/jpeg", be16(bytes, at + 5)?, be16(bytes, at + 3)?);
        }
        at += length;
    }
}

/// WebP: the size from its first chunk, lossy (`VP8 `), lossless (`VP8L`) or extended (`VP8X`).
fn webp(bytes: &[u8]) -> Option<ImageInfo> {
    match bytes.get(12..16)? {
        b"VP8 " => {
            if bytes.get(23..26) != Some(b"\x9d\x01\x2a") {
                return None;
            }
            sized(
                "image/webp",
                le16(bytes, 26)? & 0x3fff,
                le16(bytes, 28)? & 0x3fff,
            )
        }
        b"VP8L" => {
            if *bytes.get(20)? != 0x2f {
                return None;
            }
            let bits = le32(bytes, 21)?;
            sized(
                "image/webp",
                (bits & 0x3fff) + 1,
                ((bits >> 14) & 0x3fff) + 1,
            )
        }
        b"VP8X" => sized("image/webp", le24(bytes, 24)? + 1, le24(bytes, 27)? + 1),
        _ => None,
    }
}

/// BMP: the DIB header's width and height (a negative height is a top-down bitmap).
fn bmp(bytes: &[u8]) -> Option<ImageInfo> {
    let header = le32(bytes, 14)?;
    if header == 12 {
        return sized("image/bmp", le16(bytes, 18)?, le16(bytes, 20)?);
    }
    if header < 40 {
        return None;
    }
    let width = le32(bytes, 18)? as i32;
    let height = le32(bytes, 22)? as i32;
    sized("image/bmp", width.unsigned_abs(), height.unsigned_abs())
}

/// ICO and CUR: the first image of the directory (a 0 byte is 256 pixels).
fn ico(bytes: &[u8]) -> Option<ImageInfo> {
    if le16(bytes, 4)? == 0 {
        return None;
    }
    let side = |at: usize| {
        bytes
            .get(at)
            .map(|&b| if b == 0 { 256 } else { u32::from(b) })
    };
    sized("image/x-icon", side(6)?, side(7)?)
}

/// Whether the bytes start (after a BOM, whitespace, an XML declaration, comments or a
/// doctype) with an `<svg` root.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if rest.starts_with("<svg") {
            return true;
        }
        let skipped = if rest.starts_with("<?") {
            rest.find("?>").map(|end| end + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|end| end + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|end| end + 1)
        } else {
            None
        };
        match skipped {
            Some(end) => rest = rest[end..].trim_start(),
            None => return false,
        }
    }
}

/// SVG: the root's `width` and `height` when they are plain lengths (`100` or `100px`); a
/// size in other units, or none, is 0 (bgsync lays nothing out to resolve it).
fn svg(bytes: &[u8]) -> Option<ImageInfo> {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("<svg")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    let length = |name: &str| -> u32 {
        attribute(tag, name)
            .map(|value| value.trim().trim_end_matches("px").trim().to_owned())
            .and_then(|value| value.parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value >= 0.0)
            .map_or(0, |value| value as u32)
    };
    Some(ImageInfo {
        mime: "image/svg+xml",
        width: length("width"),
        height: length("height"),
    })
}

/// The value of attribute `name` in a start tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let inner = &value[1..];
            return inner.find(quote).map(|end| &inner[..end]);
        }
        let end = value
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(value.len());
        return Some(&value[..end]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 16x16 PNG of the upstream service-worker tests.
    const PNG_16: &str = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAAXNSR0IArs4c6QAAAARnQU1BAACxjwv8YQUAAAAJcEhZcwAADsQAAA7EAZUrDhsAAAAhSURBVDhPY3wro/KfgQLABKXJBqMGjBoAAqMGDLwBDAwAEsoCTFWunmQAAAAASUVORK5CYII=";

    fn info(mime: &'static str, width: u32, height: u32) -> Option<ImageInfo> {
        Some(ImageInfo {
            mime,
            width,
            height,
        })
    }

    #[test]
    fn a_png_gives_its_ihdr_size_and_a_cut_one_nothing() {
        let png =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, PNG_16).unwrap();
        assert_eq!(probe(&png, None), info("image/png", 16, 16));
        assert_eq!(probe(&png[..20], None), None);
    }

    #[test]
    fn gif_jpeg_webp_bmp_and_ico_headers() {
        let gif = b"GIF89a\x03\x00\x02\x00\x80\x00\x00";
        assert_eq!(probe(gif, None), info("image/gif", 3, 2));
        // SOI, an APP0 segment of 4 bytes, then SOF0: length, precision, height 5, width 7.
        let jpeg = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\x05\x00\x07\x03";
        assert_eq!(probe(jpeg, None), info("image/jpeg", 7, 5));
        assert_eq!(probe(b"\xff\xd8\xff\xda\x00\x02", None), None);
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        vp8x.extend_from_slice(&[9, 0, 0, 4, 0, 0]);
        assert_eq!(probe(&vp8x, None), info("image/webp", 10, 5));
        let mut lossless = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        // width 2 (1 + 1), height 3 (2 + 1).
        lossless.extend_from_slice(&(1u32 | (2 << 14)).to_le_bytes());
        assert_eq!(probe(&lossless, None), info("image/webp", 2, 3));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&4i32.to_le_bytes());
        bmp.extend_from_slice(&(-6i32).to_le_bytes());
        assert_eq!(probe(&bmp, None), info("image/bmp", 4, 6));
        assert_eq!(
            probe(b"\0\0\x01\0\x01\0\0\x20", None),
            info("image/x-icon", 256, 32)
        );
    }

    #[test]
    fn svg_by_its_root_or_its_content_type() {
        let svg = br#"<?xml version="1.0"?><!-- a comment --><svg xmlns="http://www.w3.org/2000/svg" width="40px" height='30'></svg>"#;
        assert_eq!(probe(svg, None), info("image/svg+xml", 40, 30));
        assert_eq!(
            probe(b"<svg viewBox='0 0 1 1'/>", None),
            info("image/svg+xml", 0, 0)
        );
        assert_eq!(probe(b"<html><svg width=3>", None), None);
        assert_eq!(
            probe(b"<html><svg width=3 height=4>", Some("image/svg+xml")),
            info("image/svg+xml", 3, 4)
        );
    }

    #[test]
    fn text_empty_bodies_and_sizeless_headers_are_no_image() {
        assert_eq!(probe(b"", None), None);
        assert_eq!(probe(b"hello", Some("image/png")), None);
        assert_eq!(probe(b"GIF89a\x00\x00\x05\x00", None), None);
        assert_eq!(probe(b"\0\0\x01\0\0\0", None), None);
    }
}
