// https://w3c.github.io/FileAPI/#blob-section
// Bytes live in memory; stream() gives them as one chunk.
[Exposed=(Window,Worker)]
interface Blob {
  [Throws] constructor(optional sequence<BlobPart> blobParts, optional BlobPropertyBag options = {});

  readonly attribute unsigned long long size;
  readonly attribute DOMString type;

  [NewObject] Blob slice(optional long long start, optional long long end, optional DOMString contentType);

  [NewObject, Throws] ReadableStream stream();
  [NewObject] Promise<USVString> text();
  [NewObject] Promise<ArrayBuffer> arrayBuffer();
  [NewObject] Promise<Uint8Array> bytes();
};

enum EndingType { "transparent", "native" };

dictionary BlobPropertyBag {
  DOMString type = "";
  EndingType endings = "transparent";
};

typedef (BufferSource or Blob or USVString) BlobPart;
