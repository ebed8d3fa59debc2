import { stream, Workbook } from 'exceljs';
console.log(typeof stream, typeof Workbook);
