import ExcelJS from 'exceljs';
console.log(typeof ExcelJS.stream.xlsx.WorkbookReader, typeof ExcelJS.Workbook);
