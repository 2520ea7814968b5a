/** Save a fetched file (a PDF bill, a receipt) the way a download link would: the API needs
 * the token in a header, so a plain <a href> cannot fetch it. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
