<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>AuditTab</name>
    <message>
      <source>search: person, action, receipt, meter, amount in fen…</source>
      <translation>查询：人员、操作、票据号、表号、金额（分）…</translation>
    </message>
    <message>
      <source>any person</source>
      <translation>全部人员</translation>
    </message>
    <message>
      <source>any counter</source>
      <translation>全部柜台</translation>
    </message>
    <message>
      <source>any action</source>
      <translation>全部操作</translation>
    </message>
    <message>
      <source>From</source>
      <translation>起止日期</translation>
    </message>
    <message>
      <source>Search</source>
      <translation>查询</translation>
    </message>
    <message>
      <source>When</source>
      <translation>时间</translation>
    </message>
    <message>
      <source>Who</source>
      <translation>操作人</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>柜台</translation>
    </message>
    <message>
      <source>Action</source>
      <translation>操作</translation>
    </message>
    <message>
      <source>On</source>
      <translation>对象</translation>
    </message>
    <message>
      <source>After</source>
      <translation>变更后</translation>
    </message>
    <message>
      <source>{count} records</source>
      <translation>{count} 条记录</translation>
    </message>
    <message>
      <source>Before:</source>
      <translation>变更前：</translation>
    </message>
    <message>
      <source>After:</source>
      <translation>变更后：</translation>
    </message>
  </context>
  <context>
    <name>OfficeErrors</name>
    <message>
      <source>Shift {shift_id} of {operator} at counter {counter_id} is still open: close it first.</source>
      <translation>{operator} 在柜台 {counter_id} 的班次 {shift_id} 尚未结班：请先结班。</translation>
    </message>
    <message>
      <source>Shift {shift_id} is {state}: cannot {step}.</source>
      <translation>班次 {shift_id} 状态为 {state}：不能 {step}。</translation>
    </message>
    <message>
      <source>There is no shift {shift}.</source>
      <translation>没有班次 {shift}。</translation>
    </message>
  </context>
  <context>
    <name>ShiftsTab</name>
    <message>
      <source>My shift</source>
      <translation>我的班次</translation>
    </message>
    <message>
      <source>Float (yuan)</source>
      <translation>备用金（元）</translation>
    </message>
    <message>
      <source>Open shift</source>
      <translation>开班</translation>
    </message>
    <message>
      <source>Cash in/out</source>
      <translation>现金存取</translation>
    </message>
    <message>
      <source>Cash in</source>
      <translation>现金存入</translation>
    </message>
    <message>
      <source>Cash out</source>
      <translation>现金取出</translation>
    </message>
    <message>
      <source>amount (yuan)</source>
      <translation>金额（元）</translation>
    </message>
    <message>
      <source>reason (required)</source>
      <translation>原因（必填）</translation>
    </message>
    <message>
      <source>Record</source>
      <translation>记录</translation>
    </message>
    <message>
      <source>X read (mid-shift)</source>
      <translation>班中读数（X）</translation>
    </message>
    <message>
      <source>Start blind count</source>
      <translation>开始盲点</translation>
    </message>
    <message>
      <source>Counted cash (yuan)</source>
      <translation>实点现金（元）</translation>
    </message>
    <message>
      <source>Record count</source>
      <translation>录入实点</translation>
    </message>
    <message>
      <source>Reason for short/over</source>
      <translation>长短款原因</translation>
    </message>
    <message>
      <source>Close shift (Z)</source>
      <translation>结班（Z）</translation>
    </message>
    <message>
      <source>Figure</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Yuan</source>
      <translation>元</translation>
    </message>
    <message>
      <source>Open shifts (all counters)</source>
      <translation>未结班次（全部柜台）</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Shift</source>
      <translation>班次</translation>
    </message>
    <message>
      <source>Teller</source>
      <translation>柜员</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>柜台</translation>
    </message>
    <message>
      <source>State</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Opened</source>
      <translation>开班时间</translation>
    </message>
    <message>
      <source>Float</source>
      <translation>备用金</translation>
    </message>
    <message>
      <source>Payments</source>
      <translation>收费</translation>
    </message>
    <message>
      <source>Refunds</source>
      <translation>退款</translation>
    </message>
    <message>
      <source>Expected cash</source>
      <translation>应有现金</translation>
    </message>
    <message>
      <source>No shift is open for you at this counter.</source>
      <translation>您在本柜台没有未结班次。</translation>
    </message>
    <message>
      <source>Shift {id} open since {opened}, float {float} yuan</source>
      <translation>班次 {id} 自 {opened} 开班，备用金 {float} 元</translation>
    </message>
    <message>
      <source>Shift {id} counted: close it with the Z read</source>
      <translation>班次 {id} 已盲点：请结班（Z）</translation>
    </message>
    <message>
      <source>short</source>
      <translation>短款</translation>
    </message>
    <message>
      <source>over</source>
      <translation>长款</translation>
    </message>
    <message>
      <source>exact</source>
      <translation>相符</translation>
    </message>
    <message>
      <source>Counted {counted} yuan, expected {expected} yuan: {kind} {variance} yuan</source>
      <translation>实点 {counted} 元，应有 {expected} 元：{kind} {variance} 元</translation>
    </message>
    <message>
      <source>Payments, {channel} ({count})</source>
      <translation>收费，{channel}（{count}笔）</translation>
    </message>
    <message>
      <source>Cash payments</source>
      <translation>现金收费</translation>
    </message>
    <message>
      <source>Refunds ({count})</source>
      <translation>冲正退款（{count}笔）</translation>
    </message>
    <message>
      <source>Cash in ({count})</source>
      <translation>现金存入（{count}笔）</translation>
    </message>
    <message>
      <source>Cash out ({count})</source>
      <translation>现金取出（{count}笔）</translation>
    </message>
    <message>
      <source>Counted cash</source>
      <translation>盲点现金</translation>
    </message>
    <message>
      <source>Variance</source>
      <translation>差额</translation>
    </message>
    <message>
      <source>Shift {id} opened.</source>
      <translation>班次 {id} 已开班。</translation>
    </message>
    <message>
      <source>Cash {direction} of {amount} yuan recorded.</source>
      <translation>已记录{direction} {amount} 元。</translation>
    </message>
    <message>
      <source>X read of shift {id} at {time}.</source>
      <translation>班次 {id} 于 {time} 班中读数。</translation>
    </message>
    <message>
      <source>Count the drawer and type what it holds; the expected cash is shown afterwards.</source>
      <translation>请清点钱箱并输入实点金额；应有现金在录入后显示。</translation>
    </message>
    <message>
      <source>Blind count recorded; it cannot be changed.</source>
      <translation>盲点已记录，不可更改。</translation>
    </message>
    <message>
      <source>Shift {id} closed. Summary: {path}</source>
      <translation>班次 {id} 已结班。结算单：{path}</translation>
    </message>
    <message>
      <source>open</source>
      <translation>营业中</translation>
    </message>
    <message>
      <source>counted, not closed</source>
      <translation>已盲点未结班</translation>
    </message>
    <message>
      <source>closed</source>
      <translation>已结班</translation>
    </message>
    <message>
      <source>Today every counter payment belongs to a shift.</source>
      <translation>今日所有柜台收费均已归入班次。</translation>
    </message>
    <message>
      <source>Today outside any shift: {count} counter payments/refunds (paid {paid} yuan, refunded {refunded} yuan) by {people}.</source>
      <translation>今日未归入班次：柜台收费/退款 {count} 笔（收 {paid} 元，退 {refunded} 元），操作人 {people}。</translation>
    </message>
  </context>
  <context>
    <name>SuccessBoardTab</name>
    <message>
      <source>First attempt</source>
      <translation>首次成功</translation>
    </message>
    <message>
      <source>Attempt 2 or 3</source>
      <translation>第2或3次成功</translation>
    </message>
    <message>
      <source>After work orders</source>
      <translation>工单后成功</translation>
    </message>
    <message>
      <source>Loaded by card</source>
      <translation>购电卡写入成功</translation>
    </message>
    <message>
      <source>Not loaded yet</source>
      <translation>尚未到表</translation>
    </message>
    <message>
      <source>Reversed</source>
      <translation>已冲正</translation>
    </message>
    <message>
      <source>channel failure</source>
      <translation>通道故障</translation>
    </message>
    <message>
      <source>count mismatch</source>
      <translation>购电次数不符</translation>
    </message>
    <message>
      <source>security refusal</source>
      <translation>安全认证拒绝</translation>
    </message>
    <message>
      <source>hoarding limit</source>
      <translation>超囤积限额</translation>
    </message>
    <message>
      <source>timeout</source>
      <translation>超时</translation>
    </message>
    <message>
      <source>link broke (unresolved)</source>
      <translation>链路中断（未决）</translation>
    </message>
    <message>
      <source>other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Only from</source>
      <translation>仅统计</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>导出 CSV</translation>
    </message>
    <message>
      <source>Dispatched</source>
      <translation>已下发</translation>
    </message>
    <message>
      <source>First attempt %</source>
      <translation>首次成功 %</translation>
    </message>
    <message>
      <source>Within 3 %</source>
      <translation>三次内 %</translation>
    </message>
    <message>
      <source>After work orders %</source>
      <translation>工单后 %</translation>
    </message>
    <message>
      <source>Eventually %</source>
      <translation>最终成功 %</translation>
    </message>
    <message>
      <source>Failed dispatches</source>
      <translation>下发失败</translation>
    </message>
    <message>
      <source>Day</source>
      <translation>日期</translation>
    </message>
    <message>
      <source>Meter</source>
      <translation>电能表</translation>
    </message>
    <message>
      <source>How remote purchases reached the meter, by day</source>
      <translation>远程购电到表情况（按日）</translation>
    </message>
    <message>
      <source>Loading…</source>
      <translation>正在加载…</translation>
    </message>
    <message>
      <source>{total} remote purchases dispatched. First attempt {first}%, within 3 attempts {three}%, after work orders {after}%, eventually loaded (incl. card) {ever}%.</source>
      <translation>远程下发 {total} 笔。首次成功 {first}%，三次内 {three}%，工单后 {after}%，最终到表（含购电卡）{ever}%。</translation>
    </message>
    <message>
      <source>Failed dispatches by cause: {causes}</source>
      <translation>下发失败原因：{causes}</translation>
    </message>
    <message>
      <source>Exported to {path}</source>
      <translation>已导出到 {path}</translation>
    </message>
  </context>
  <context>
    <name>UsersTab</name>
    <message>
      <source>User</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Role</source>
      <translation>角色</translation>
    </message>
    <message>
      <source>Active</source>
      <translation>启用</translation>
    </message>
    <message>
      <source>Since</source>
      <translation>创建日期</translation>
    </message>
    <message>
      <source>New user</source>
      <translation>新用户</translation>
    </message>
    <message>
      <source>Selected user</source>
      <translation>所选用户</translation>
    </message>
    <message>
      <source>Username</source>
      <translation>用户名</translation>
    </message>
    <message>
      <source>Full name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Password</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>Password again</source>
      <translation>再次输入密码</translation>
    </message>
    <message>
      <source>New password (twice)</source>
      <translation>新密码（两次）</translation>
    </message>
    <message>
      <source>Create user</source>
      <translation>创建用户</translation>
    </message>
    <message>
      <source>Change role</source>
      <translation>修改角色</translation>
    </message>
    <message>
      <source>Reset password</source>
      <translation>重置密码</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>no (deactivated)</source>
      <translation>否（已停用）</translation>
    </message>
    <message>
      <source>Select a user in the list.</source>
      <translation>请在列表中选择用户。</translation>
    </message>
    <message>
      <source>Deactivate</source>
      <translation>停用</translation>
    </message>
    <message>
      <source>{user} ({name}): {role}</source>
      <translation>{user}（{name}）：{role}</translation>
    </message>
    <message>
      <source>Reactivate</source>
      <translation>重新启用</translation>
    </message>
    <message>
      <source>The two passwords differ.</source>
      <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
      <source>User {user} created.</source>
      <translation>已创建用户 {user}。</translation>
    </message>
    <message>
      <source>Role of {user} changed.</source>
      <translation>已修改 {user} 的角色。</translation>
    </message>
    <message>
      <source>Password of {user} reset.</source>
      <translation>已重置 {user} 的密码。</translation>
    </message>
    <message>
      <source>{user} deactivated.</source>
      <translation>已停用 {user}。</translation>
    </message>
    <message>
      <source>{user} reactivated.</source>
      <translation>已重新启用 {user}。</translation>
    </message>
  </context>
</TS>