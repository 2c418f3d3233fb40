<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BankCollectionTab</name>
    <message>
        <source>Import bank file…</source>
        <translation>导入银行文件…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入批次</translation>
    </message>
    <message>
        <source>Bank</source>
        <translation>银行</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Booked</source>
        <translation>已入账</translation>
    </message>
    <message>
        <source>Already booked</source>
        <translation>已入账（重复）</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Imported at</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>流水号</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>already booked</source>
        <translation>已入账（重复）</translation>
    </message>
    <message>
        <source>not a valid record</source>
        <translation>记录格式错误</translation>
    </message>
    <message>
        <source>bad bank serial</source>
        <translation>银行流水号错误</translation>
    </message>
    <message>
        <source>bad customer number</source>
        <translation>户号格式错误</translation>
    </message>
    <message>
        <source>bad amount</source>
        <translation>金额错误</translation>
    </message>
    <message>
        <source>bad payment time</source>
        <translation>缴费时间错误</translation>
    </message>
    <message>
        <source>agency or operator too long</source>
        <translation>网点或操作员过长</translation>
    </message>
    <message>
        <source>serial used for another customer or amount</source>
        <translation>流水号已用于其他户号或金额</translation>
    </message>
    <message>
        <source>unknown customer</source>
        <translation>无此户号</translation>
    </message>
    <message>
        <source>trailer does not add up</source>
        <translation>尾记录笔数或金额不符</translation>
    </message>
    <message>
        <source>record after the trailer</source>
        <translation>尾记录之后的记录</translation>
    </message>
    <message>
        <source>reversed here</source>
        <translation>已冲正</translation>
    </message>
    <message>
        <source>Bank collection file</source>
        <translation>银行代收文件</translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation>正在导入 {file}…</translation>
    </message>
    <message>
        <source>Bank {bank}, {date}: {lines} lines; booked {booked} ({amount}), already booked {dups}, rejected {rejected}.</source>
        <translation>银行 {bank}，{date}：共 {lines} 笔；入账 {booked} 笔（{amount}），重复 {dups} 笔，拒绝 {rejected} 笔。</translation>
    </message>
    <message>
        <source>{count} imports</source>
        <translation>共 {count} 个导入批次</translation>
    </message>
</context>
<context>
    <name>BankErrors</name>
    <message>
        <source>The bank file cannot be used ({field}, line {line_no}): {detail}</source>
        <translation>银行文件无法使用（{field}，第 {line_no} 行）：{detail}</translation>
    </message>
    <message>
        <source>Reconciliation refused ({refusal}): {detail}</source>
        <translation>对账被拒绝（{refusal}）：{detail}</translation>
    </message>
    <message>
        <source>Reversal of {serial} refused ({refusal}): {detail}</source>
        <translation>流水 {serial} 冲正被拒绝（{refusal}）：{detail}</translation>
    </message>
</context>
<context>
    <name>ReconciliationTab</name>
    <message>
        <source>Compare bank statement…</source>
        <translation>比对银行对账文件…</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Sign off…</source>
        <translation>审核签字…</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>处理</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>流水号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>户号</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Choose the day and the bank&apos;s statement.</source>
        <translation>请选择账务日期和银行对账文件。</translation>
    </message>
    <message>
        <source>bank only</source>
        <translation>银行单边</translation>
    </message>
    <message>
        <source>ours only</source>
        <translation>系统单边</translation>
    </message>
    <message>
        <source>differs</source>
        <translation>不符</translation>
    </message>
    <message>
        <source>book</source>
        <translation>补记</translation>
    </message>
    <message>
        <source>refuse</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>reverse</source>
        <translation>冲正</translation>
    </message>
    <message>
        <source>hold</source>
        <translation>挂起</translation>
    </message>
    <message>
        <source>Bank statement</source>
        <translation>银行对账文件</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>正在比对…</translation>
    </message>
    <message>
        <source>Report {id} is {state}.</source>
        <translation>对账单 {id} 状态：{state}。</translation>
    </message>
    <message>
        <source>Bank {bank}, {date}: statement {bank_count} lines ({bank_total}), our books {ours_count} ({ours_total}), matched {matched}. Nothing is booked or reversed before the sign-off.</source>
        <translation>银行 {bank}，{date}：银行 {bank_count} 笔（{bank_total}），系统 {ours_count} 笔（{ours_total}），相符 {matched} 笔。审核签字前不做任何补记或冲正。</translation>
    </message>
    <message>
        <source>Signing off…</source>
        <translation>正在审核签字…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>已导出到 {path}</translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <source>Sign off reconciliation {id}</source>
        <translation>对账单 {id} 审核签字</translation>
    </message>
    <message>
        <source>Bank {bank}, {date}: book {book}, reverse {reverse}, refuse {refuse}, hold {hold}. Nothing is done before you sign.</source>
        <translation>银行 {bank}，{date}：补记 {book} 笔，冲正 {reverse} 笔，拒绝 {refuse} 笔，挂起 {hold} 笔。签字前不做任何处理。</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>班长</translation>
    </message>
    <message>
        <source>Supervisor&apos;s password</source>
        <translation>班长密码</translation>
    </message>
</context>
</TS>
