/*
 * @koa/bodyparser's onError for a body it cannot decode: a compressed body that is not what its
 * Content-Encoding says (zlib's «incorrect header check») is the client's mistake, a 400 naming it,
 * not a 500. Errors that already carry an HTTP status (413, 415, a JSON syntax error) pass as they are.
 */
export function unreadableBody(error: Error & { status?: number }): never {
  if (error.status) throw error;
  throw Object.assign(
    new Error(
      `The request body could not be read (${error.message}); send it uncompressed, or as its Content-Encoding says`,
    ),
    { status: 400, expose: true },
  );
}
