// https://w3c.github.io/FileAPI/#blob-section
// No stream(); bytes live in memory.
[Exposed=(Window,Worker)]
interface Blob {
  [Throws] constructor(optional sequence<BlobPart> blobParts, optional BlobPropertyBag options = {});

  readonly attribute unsigned long long size;
  readonly attribute DOMString type;

  [NewObject] Blob slice(optional long long start, optional long long end, optional DOMString contentType);

  [NewObject] Promise<USVString> text();
  [NewObject] Promise<ArrayBuffer> arrayBuffer();
};

enum EndingType { "transparent", "native" };

dictionary BlobPropertyBag {
  DOMString type = "";
  EndingType endings = "transparent";
};

typedef (BufferSource or Blob or USVString) BlobPart;
