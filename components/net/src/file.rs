//! `file:` URLs: the bytes of a local file, typed by its extension.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use url::Url;

use crate::content_type::ContentType;
use crate::resource::{LoadError, Resource};

pub(crate) fn load_file_url(url: &Url, max_bytes: u64) -> Result<Resource, LoadError> {
    let path = url
        .to_file_path()
        .map_err(|()| LoadError::InvalidUrl(format!("{url}: not a local file path")))?;
    let body = read_file(&path, max_bytes)?;

    let content_type = ContentType::from_extension(&path);
    let headers = content_type
        .iter()
        .map(|content_type| ("content-type".to_owned(), content_type.essence.clone()))
        .collect();
    Ok(Resource {
        url: url.clone(),
        status: 200,
        status_text: "OK".to_owned(),
        headers,
        content_type: content_type.map(|content_type| content_type.essence),
        charset: None,
        body,
        redirected: false,
        body_error: None,
    })
}

fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
    let io_error = |source: io::Error| match source.kind() {
        io::ErrorKind::NotFound => LoadError::FileNotFound(path.to_owned()),
        io::ErrorKind::IsADirectory => LoadError::IsADirectory(path.to_owned()),
        _ => LoadError::Io {
            path: path.to_owned(),
            source,
        },
    };

    let file = File::open(path).map_err(io_error)?;
    let metadata = file.metadata().map_err(io_error)?;
    if metadata.is_dir() {
        return Err(LoadError::IsADirectory(path.to_owned()));
    }
    if metadata.len() > max_bytes {
        return Err(LoadError::TooLarge { limit: max_bytes });
    }

    // The file may grow between the size check and the read: read at most
    // one byte past the limit to notice without reading all of it.
    let mut body = Vec::with_capacity(metadata.len() as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(io_error)?;
    if body.len() as u64 > max_bytes {
        return Err(LoadError::TooLarge { limit: max_bytes });
    }
    Ok(body)
}
