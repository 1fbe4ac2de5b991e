import { apiPath, client } from './client'

/** An uploaded image (GET /uploads/{id} needs the Authorization header) as a Blob. */
export const fetchUpload = (url) => client.blob(apiPath(url))
