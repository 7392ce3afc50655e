"""Coordinator exports of one case (docs/exports.md): a BagIt evidence
package, the structured data as JSON and CSV (also shaped for Uwazi's CSV
import), and a PDF case report. Each is written under a partial name in the
folder the user chose and renamed only once whole: a cancel or a failure
leaves nothing that looks complete, and nothing of the user's is replaced.

Only the vault's public API (db.api) is used; nothing here imports Qt."""
