type PaginationProps = {
  label: string;
  total: number;
  limit: number;
  offset: number;
  onChange: (offset: number) => void;
};

/** Previous/next paging over a server-side page, with the row range shown. */
export function Pagination({
  label,
  total,
  limit,
  offset,
  onChange,
}: PaginationProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  const lastOffset = Math.max(0, Math.floor((total - 1) / limit) * limit);
  return (
    <nav className="pagination" aria-label={label}>
      <button type="button" onClick={() => onChange(0)} disabled={offset === 0}>
        First
      </button>
      <button
        type="button"
        onClick={() => onChange(Math.max(0, offset - limit))}
        disabled={offset === 0}
      >
        Previous
      </button>
      <span aria-live="polite">
        {first.toLocaleString("en")}–{last.toLocaleString("en")} of{" "}
        {total.toLocaleString("en")}
      </span>
      <button
        type="button"
        onClick={() => onChange(offset + limit)}
        disabled={offset + limit >= total}
      >
        Next
      </button>
      <button
        type="button"
        onClick={() => onChange(lastOffset)}
        disabled={offset + limit >= total}
      >
        Last
      </button>
    </nav>
  );
}
