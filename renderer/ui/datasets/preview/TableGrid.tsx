/**
 * A table preview as a grid: column names and DuckDB types in a sticky header, rows
 * virtualised so a thousand of them cost what the visible ones do. Numbers align right.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { FilePreview } from '../../../../protocol/previews.ts';

type TablePreview = Extract<FilePreview, { kind: 'table' }>;

const rowHeight = 24;
const columnWidth = 160;
const numberColumnWidth = 48;

export function TableGrid({ table }: { table: TablePreview }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: table.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const template = `${numberColumnWidth}px repeat(${table.columns.length}, ${columnWidth}px)`;
  const width = numberColumnWidth + table.columns.length * columnWidth;
  return (
    <div
      ref={scroller}
      className="file-preview-grid"
      role="grid"
      aria-rowcount={table.rows.length + 1}
      aria-colcount={table.columns.length}
      data-testid="file-preview-table"
    >
      <div className="file-preview-grid-header" role="row" style={{ gridTemplateColumns: template, width }}>
        <span role="columnheader" className="file-preview-rownum" aria-label="Row number" />
        {table.columns.map((column, i) => (
          <span role="columnheader" key={i} className="file-preview-column" title={`${column.name}: ${column.type}`}>
            <span className="file-preview-column-name">{column.name}</span>
            <span className="file-preview-column-type mono">{column.type}</span>
          </span>
        ))}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), width, position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = table.rows[item.index]!;
          return (
            <div
              key={item.key}
              role="row"
              aria-rowindex={item.index + 2}
              className="file-preview-grid-row"
              style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${item.start}px)` }}
            >
              <span role="rowheader" className="file-preview-rownum num">
                {item.index + 1}
              </span>
              {row.map((cell, i) => (
                <span role="gridcell" key={i} className={typeof cell === 'number' || isNumericType(table.columns[i]?.type) ? 'num' : undefined} title={cell === null ? 'NULL' : String(cell)}>
                  {cell === null ? <span className="file-preview-null">NULL</span> : String(cell)}
                </span>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** Integers and decimals arrive as strings (exactness in JSON) but are numbers all the same. */
function isNumericType(type: string | undefined): boolean {
  return type !== undefined && /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|FLOAT|DOUBLE)/.test(type);
}
