type TagListProps = { label: string; values: readonly string[] | null };

/** A labelled list of fingerprint or endpoint values, "none" when empty. */
export function TagList({ label, values }: TagListProps) {
  const id = `tags-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const unique = [...new Set(values ?? [])];
  return (
    <div className="tag-list">
      <h3 id={id}>{label}</h3>
      {unique.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul aria-labelledby={id}>
          {unique.map((value) => (
            <li key={value} className="tag">
              <code>{value}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
