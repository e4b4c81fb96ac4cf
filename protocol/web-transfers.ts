/**
 * Web mode's file routes, beside the WebSocket API: a browser streams an upload's bytes
 * to `upload` and fetches a download from `download`, both with `path`, optional
 * `cluster` and `transferId` in the query (`overwrite=true` replaces a file on upload).
 * Progress travels as the usual `transfer.progress` events, under that transfer id.
 */
export const webTransferRoutes = { upload: '/transfer/upload', download: '/transfer/download' } as const;
