import { apiPath, client } from './client'

/** An uploaded image (GET /uploads/{id} without a signature needs the Authorization header) as a Blob. */
export const fetchUpload = (url) => client.blob(apiPath(url))

/** A signed upload URL (`?exp=…&sig=…`) loads without the header: a plain <img src> may use it. */
export const isSigned = (url) => /[?&]sig=[0-9a-f]+/.test(url || '')

/** The signed URL relative to the API base the H5 talks to. */
export const signedSrc = (url) => client.url(apiPath(url))

/** The URL of a form's file: the signed one the server gave (`files[id].url`), else the plain path. */
export function fileUrl(files, fileId) {
  if (!fileId) return ''
  const entry = files && files[fileId]
  return (entry && entry.url) || `/api/v1/uploads/${fileId}`
}
